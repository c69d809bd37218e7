/**
 * The operator side of the decision service: the review queue, black/white lists, rule and policy versions (put,
 * activate = rollback, dry run), consent withdrawal, retention purge, PII key rotation and audit verification. Every
 * change is appended to the audit chain (digests only). Transport-neutral: routes validate and call these.
 */
import { createHash } from 'node:crypto';
import { FedriskError, invalid } from '../../common/errors.js';
import { normaliseBankCard, normaliseIdNumber, normalisePhone, rotatePiiKey, touchApplicants } from '../pii/index.js';
import { validateListEntryInput } from '../lists/index.js';
import { RulesEngine, combineOutcome, dryRunRules } from '../rules/index.js';
import { validateReviewDecision } from '../reviews/index.js';
import { verifyAuditLog } from '../audit/index.js';
import { openReviewApplicantTokens } from '../reviews/index.js';
import type { ListableKind } from '../pipeline/decision-types.js';
import type { DecisionService } from './open-decision-service.js';

const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

async function audit(svc: DecisionService, kind: 'review' | 'erasure' | 'rules' | 'policy' | 'list', record: Record<string, unknown>): Promise<void> {
  await svc.pipeline.writer.submit({ audit: { kind, at: new Date().toISOString(), record } });
}

function normaliseListValue(kind: ListableKind, value: string): string {
  switch (kind) {
    case 'idNumber':
      return normaliseIdNumber(value);
    case 'phone':
      return normalisePhone(value);
    case 'bankCard':
      return normaliseBankCard(value);
    case 'deviceId':
      return value;
  }
}

export function adminHandlers(svc: DecisionService) {
  const { pipeline } = svc;
  return {
    // ---- reviews ----
    listReviews: (query: unknown) => svc.reviews.listPending(query as Record<string, unknown>),
    claimReview: (id: string, reviewer: string) => svc.reviews.claim(id, reviewer),
    async decideReview(id: string, reviewer: string, body: unknown) {
      const input = validateReviewDecision(body);
      const res = await svc.reviews.decide(id, reviewer, input, { aprCap: pipeline.aprCap });
      await audit(svc, 'review', { ...res.auditRecord });
      const app = await svc.applications.get(id);
      if (app?.details) await touchApplicants(svc.knex, [app.details.applicantToken], new Date().toISOString());
      return { applicationId: id, ...res.applied };
    },

    // ---- lists ----
    async addListEntry(body: unknown, by: string) {
      const input = validateListEntryInput(body);
      const token = input.kind === 'deviceId' ? input.value : pipeline.vault.tokenize(input.kind, normaliseListValue(input.kind, input.value));
      const entry = await svc.listStore.add({ list: input.list, kind: input.kind, token, reason: input.reason, expiresAt: input.expiresAt, createdBy: by });
      pipeline.lists.applyAdd(entry);
      await audit(svc, 'list', { action: 'add', id: entry.id, list: entry.list, kind: entry.kind, reasonDigest: sha(entry.reason) });
      return entry;
    },
    async removeListEntry(id: string, by: string) {
      const entry = await svc.listStore.remove(id, by);
      pipeline.lists.applyRemove(entry.id);
      await audit(svc, 'list', { action: 'remove', id, list: entry.list, kind: entry.kind });
      return entry;
    },
    listEntries: (query: Parameters<DecisionService['listStore']['list']>[0]) => svc.listStore.list(query),

    // ---- rules ----
    async activeRules() {
      const active = pipeline.rules.current();
      const stored = await svc.rulesStore.get(active.version);
      return {
        version: stored?.version ?? null,
        document: stored?.document ?? null,
        createdAt: stored?.createdAt ?? null,
        // Which evaluator runs it, and why zen-engine when not compiled: an operator can see a slow document.
        engine: active.engine,
        engineNote: active.engineNote,
      };
    },
    listRulesVersions: () => svc.rulesStore.list(),
    listPolicyVersions: () => svc.policyStore.list(),
    async putRules(doc: unknown, by: string, note: string, activate: boolean) {
      const version = await pipeline.rules.put(doc, by, note, { activate });
      await audit(svc, 'rules', { action: 'put', version, activate, documentDigest: sha(JSON.stringify(doc)) });
      return { version, active: activate };
    },
    async activateRules(version: number, by: string) {
      await pipeline.rules.activate(version);
      await audit(svc, 'rules', { action: 'activate', version, by: sha(by) });
      return { version, active: true };
    },
    async dryRunRules(doc: unknown, limit: number) {
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw invalid('limit', 'must be an integer between 1 and 100000');
      const candidate = await RulesEngine.compile(0, doc);
      const samples = await svc.applications.recentForDryRun(limit);
      const thresholds = pipeline.policy.current().scoring.thresholds;
      return dryRunRules(candidate, pipeline.rules.current(), samples, (r, ctx) => combineOutcome(r, ctx, thresholds));
    },

    // ---- policy ----
    activePolicy: () => {
      const p = pipeline.policy.current();
      return { version: p.version, policy: p.policy, aprCap: pipeline.aprCap };
    },
    async putPolicy(doc: unknown, by: string, note: string, activate: boolean) {
      const version = await pipeline.policy.put(doc, by, note, { activate });
      await audit(svc, 'policy', { action: 'put', version, activate, documentDigest: sha(JSON.stringify(doc)) });
      return { version, active: activate };
    },
    async activatePolicy(version: number, by: string) {
      await pipeline.policy.activate(version);
      await audit(svc, 'policy', { action: 'activate', version, by: sha(by) });
      return { version, active: true };
    },

    // ---- privacy ----
    /** The token of an ID number (the handle for erasure), without storing or logging the number. */
    applicantToken(body: unknown) {
      const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['idNumber'] : undefined;
      return { token: pipeline.vault.tokenize('idNumber', normaliseIdNumber(raw)) };
    },
    async eraseApplicant(token: string) {
      if (!TOKEN_RE.test(token)) throw invalid('token', 'must be an applicant token (43 base64url characters)');
      const existed = await svc.applicants.erase(token, new Date().toISOString());
      if (!existed) throw new FedriskError('NOT_FOUND', 'no applicant with this token', { field: 'token' });
      await audit(svc, 'erasure', { tokenDigest: sha(token), reason: 'consent withdrawn' });
      return { erased: true };
    },
    async purgeRetention(retentionDays: number) {
      if (!Number.isInteger(retentionDays) || retentionDays < 1) throw invalid('retentionDays', 'must be a whole number of days >= 1');
      const cutoff = new Date(Date.now() - retentionDays * 86_400_000).toISOString();
      const purged = await svc.applicants.purgeOlderThan(cutoff, new Date().toISOString(), { pendingTokens: openReviewApplicantTokens(svc.knex) });
      if (purged > 0) await audit(svc, 'erasure', { reason: 'retention', retentionDays, purged });
      return { purged, cutoff };
    },
    async rotatePiiKey() {
      const res = await rotatePiiKey({ keyringPath: svc.keyringFile, vault: pipeline.vault, store: svc.applicants });
      await audit(svc, 'erasure', { reason: 'pii-key-rotation', activeKeyId: res.activeKeyId, reencrypted: res.reencrypted, retired: res.retired.length });
      return res;
    },

    // ---- audit ----
    verifyAudit: () => verifyAuditLog(svc.knex, { expectedHead: pipeline.writer.head }),
  };
}

export type AdminHandlers = ReturnType<typeof adminHandlers>;
