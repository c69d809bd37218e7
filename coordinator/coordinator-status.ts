/**
 * What the operator may see of a job: members, phase, per-round timing, contributions and sizes, and the hold-out
 * metrics members chose to report. Nothing here is, or could be, a model weight: the coordinator has none.
 */
import type { CoordinatorStore } from './store/coordinator-store.js';

export interface RoundStatus {
  round: number;
  kind: string;
  status: string;
  contributors: number;
  seconds: number | null;
  updateBytes: number[];
  ciphertextsPerUpdate: number | null;
  meanAuc: number | null;
}

export interface CoordinatorStatus {
  members: { id: string; name: string; joinOrder: number; status: string }[];
  job: { id: string; phase: string; keyEpoch: number; participants: number; releasedRound: number; failedReason: string | null } | null;
  rounds: RoundStatus[];
}

export async function coordinatorStatus(store: CoordinatorStore): Promise<CoordinatorStatus> {
  const members = (await store.listMembers()).map((m) => ({ id: m.id, name: m.name, joinOrder: m.joinOrder, status: m.status }));
  const job = await store.latestJob();
  if (!job) return { members, job: null, rounds: [] };
  const sizes = await store.listUpdateSizes(job.id);
  const metrics = await store.listMetrics(job.id);
  const rounds = (await store.listRounds(job.id)).map((r): RoundStatus => {
    const ups = sizes.filter((s) => s.round === r.round);
    const aucs = metrics.filter((m) => m.round === r.round && m.name === 'auc').map((m) => m.value);
    return {
      round: r.round,
      kind: r.kind,
      status: r.status,
      contributors: r.status === 'open' ? ups.length : r.contributors,
      seconds: r.closedAt ? (Date.parse(r.closedAt) - Date.parse(r.openedAt)) / 1000 : null,
      updateBytes: ups.map((u) => u.sizes.reduce((a, b) => a + b, 0)),
      ciphertextsPerUpdate: ups[0]?.sizes.length ?? null,
      meanAuc: aucs.length > 0 ? aucs.reduce((a, b) => a + b, 0) / aucs.length : null,
    };
  });
  return {
    members,
    job: {
      id: job.id,
      phase: job.phase,
      keyEpoch: job.keyEpoch,
      participants: job.participants.length,
      releasedRound: job.releasedRound,
      failedReason: job.failedReason,
    },
    rounds,
  };
}

export function formatStatus(s: CoordinatorStatus): string {
  const lines: string[] = [];
  lines.push(`members (${s.members.length}):`);
  for (const m of s.members) lines.push(`  ${String(m.joinOrder).padStart(3)}  ${m.name.padEnd(24)} ${m.status}`);
  if (!s.job) return lines.join('\n') + '\nno job\n';
  const j = s.job;
  lines.push(`job ${j.id}: ${j.phase}, key epoch ${j.keyEpoch}, ${j.participants} participants, released round ${j.releasedRound}`);
  if (j.failedReason) lines.push(`  failed: ${j.failedReason}`);
  lines.push('round  kind   status    contrib  seconds  bytes/update  mean hold-out AUC');
  for (const r of s.rounds) {
    const bytes = r.updateBytes.length > 0 ? Math.round(r.updateBytes.reduce((a, b) => a + b, 0) / r.updateBytes.length) : 0;
    lines.push(
      `${String(r.round).padStart(5)}  ${r.kind.padEnd(5)}  ${r.status.padEnd(8)}  ${String(r.contributors).padStart(7)}  ${
        r.seconds === null ? '      -' : r.seconds.toFixed(2).padStart(7)
      }  ${String(bytes).padStart(12)}  ${r.meanAuc === null ? '-' : r.meanAuc.toFixed(4)}`,
    );
  }
  return lines.join('\n') + '\n';
}
