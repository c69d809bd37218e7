/**
 * Starting the parts of a laid-out consortium as `fedrisk` processes: the exact commands an operator and an
 * institution would run, only with loopback addresses and the run folder's paths.
 */
import { join } from 'node:path';
import type { ChildProcessGroup, ManagedProcess } from './child-process-group.js';
import type { NodeLayout, RunLayout } from './run-layout.js';

export const SIM_CONSORTIUM_ID = 'sim';

export interface CoordinatorProcessOptions {
  port: number;
  roundTimeoutMs: number;
  minContributors: number;
  minMembers: number;
}

export async function startCoordinatorProcess(
  group: ChildProcessGroup,
  layout: RunLayout,
  opts: CoordinatorProcessOptions,
): Promise<{ proc: ManagedProcess; address: string }> {
  const proc = group.start(
    'coordinator',
    [
      'coordinator', 'serve', '--job', layout.jobPath, '--db', join(layout.runDir, 'coordinator.sqlite'), '--port', String(opts.port),
      '--join-token-file', layout.tokenPath, '--consortium-id', SIM_CONSORTIUM_ID, '--min-members', String(opts.minMembers),
      '--min-contributors', String(opts.minContributors), ...(opts.minContributors < 3 ? ['--allow-two-party-aggregation'] : []),
      '--round-timeout-ms', String(opts.roundTimeoutMs), '--keying-timeout-ms', String(Math.max(opts.roundTimeoutMs, 60_000)),
    ],
    join(layout.runDir, 'coordinator.log'),
  );
  const m = await group.waitForLine(proc, /coordinator listening on (\S+)/, 60_000);
  return { proc, address: m[1]! };
}

export function startNodeProcess(group: ChildProcessGroup, layout: RunLayout, node: NodeLayout, address: string): ManagedProcess {
  return group.start(
    node.name,
    [
      'node', 'run', '--coordinator', address, '--join-token-file', layout.tokenPath, '--name', node.name,
      '--consortium-id', SIM_CONSORTIUM_ID, '--data', node.trainCsv, '--holdout', node.holdoutCsv, '--state-dir', node.dir,
      '--decision-db', node.decisionDb, '--deploy', 'latest', '--poll-ms', '100',
    ],
    join(layout.runDir, `${node.name}.log`),
  );
}
