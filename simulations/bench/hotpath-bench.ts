/**
 * `npm run bench:hotpath`: the decision path's pieces that were rebuilt for speed, each timed against what it
 * replaced, side by side in the same run (alternating passes, median of the passes), so the ratios hold on a noisy
 * machine. The replaced forms are rebuilt here from the same public pieces:
 * - applicant row: one AES-256-GCM record box vs the four per-field boxes of the old layout;
 * - request parse: the checker compiled from the zod schema vs zod's own safeParse;
 * - canonical JSON: an object already sorted in memory (one JSON.stringify) vs the same object unsorted (general writer);
 * - SHA-256 of an audit-sized text: one-shot `crypto.hash` vs a Hash object.
 * Flags: --calls 20000 --passes 9
 */
import { createHash, hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { canonicalJson } from '../../decision/canonical-json.js';
import { applicationRequestSchema, parseApplicationRequest } from '../../decision/intake/application-request.js';
import { applicantRow, loadOrCreateKeyring, normaliseApplicant, PiiVault, type ApplicantPii, type ApplicantTokens } from '../../decision/pii/index.js';
import { applicantTokens, legacyApplicantRow } from '../../decision/testing/applicant-rows.js';
import { syntheticApplications } from './synthetic-applications.js';

const { values } = parseArgs({ options: { calls: { type: 'string' }, passes: { type: 'string' } } });
const CALLS = Number(values.calls ?? 20_000);
const PASSES = Math.max(1, Math.trunc(Number(values.passes ?? 9)));

const dir = mkdtempSync(join(tmpdir(), 'fedrisk-hotpath-'));
const vault = new PiiVault(loadOrCreateKeyring(join(dir, 'keyring.json')));
const bodies = syntheticApplications(1000, 7);
const people = bodies.map((b) => {
  const a: ApplicantPii = normaliseApplicant((b as { applicant: Parameters<typeof normaliseApplicant>[0] }).applicant, new Date());
  const t: ApplicantTokens = applicantTokens(vault, a);
  return { a, t };
});
const now = new Date().toISOString();


const sorted = {
  amount: 8000,
  behaviour: { formFillSeconds: 41.5, pasteEvents: 0, screenSwitches: 2 },
  device: { botLike: false, deviceId: 'dev_0123456789abcdef0123456789abcdef', emulator: false, hook: false, proxy: false, root: false, vpn: false },
  features: { Age: 35, Amount: 8000, Cred_length: 6, Emp_length: 4, Home: 'RENT', Income: 52000, Intent: 'EDUCATION', Percent_income: 0.15, Rate: 11.2 },
  termMonths: 12,
  tokens: { bankCardToken: 'b'.repeat(43), deviceId: 'dev_0123456789abcdef0123456789abcdef', idToken: 'i'.repeat(43), ipToken: 'p'.repeat(43), phoneToken: 'q'.repeat(43) },
};
/** The same value with every object's keys in reverse order: canonical JSON must sort it. */
function reversed(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
}
const unsorted = reversed(sorted);
if (canonicalJson(sorted) !== canonicalJson(unsorted)) throw new Error('canonical JSON differs between key orders');
const auditText = `${'0'.repeat(64)}\n${canonicalJson({ at: now, kind: 'decision', record: sorted, seq: 1 })}`;

let sink = 0;
type Body = (i: number) => void;
const pairs: [string, [string, Body], [string, Body]][] = [
  [
    'applicant row (PII encryption)',
    ['one record box', (i) => void (sink += Object.keys(applicantRow(vault, people[i % people.length]!.t, people[i % people.length]!.a, now)).length)],
    ['four field boxes', (i) => void (sink += Object.keys(legacyApplicantRow(vault, people[i % people.length]!.t, people[i % people.length]!.a, now)).length)],
  ],
  [
    'request parse',
    ['compiled checker', (i) => void (sink += parseApplicationRequest(bodies[i % bodies.length]).termMonths)],
    ['zod safeParse', (i) => void (sink += applicationRequestSchema.safeParse(bodies[i % bodies.length]).success ? 1 : 0)],
  ],
  [
    'canonical JSON, input digest object',
    ['sorted in memory', () => void (sink += canonicalJson(sorted).length)],
    ['unsorted', () => void (sink += canonicalJson(unsorted).length)],
  ],
  [
    'SHA-256 of an audit entry',
    ['crypto.hash', () => void (sink += hash('sha256', auditText, 'hex').length)],
    ['createHash', () => void (sink += createHash('sha256').update(auditText, 'utf8').digest('hex').length)],
  ],
];

function usPerCall(body: Body): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) body(i);
  return Number(process.hrtime.bigint() - t0) / 1e3 / CALLS;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`hot-path pieces: ${CALLS} calls per pass, ${PASSES} alternating passes, median us per call`);
for (const [what, [newName, newBody], [oldName, oldBody]] of pairs) {
  usPerCall(newBody);
  usPerCall(oldBody);
  const a: number[] = [];
  const b: number[] = [];
  for (let p = 0; p < PASSES; p++) {
    a.push(usPerCall(newBody));
    b.push(usPerCall(oldBody));
  }
  const [ma, mb] = [median(a), median(b)];
  console.log(`${what.padEnd(36)} ${newName.padEnd(18)} ${ma.toFixed(2).padStart(7)} us   ${oldName.padEnd(18)} ${mb.toFixed(2).padStart(7)} us   ${(mb / ma).toFixed(1)}x faster`);
}
rmSync(dir, { recursive: true, force: true });
if (sink === 0) console.log('(nothing measured)');
