/**
 * The demo's second half: the first node's decision service, scoring with the federated model the node deployed
 * into its decision store, answers a few loan applications over real HTTP (and refuses a malformed one).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDecisionServer } from '../decision/index.js';
import type { CliIo } from '../common/cli-args.js';
import type { RawRow } from '../common/schema/index.js';
import type { SimulationResult } from './simulate.js';
import { syntheticApplications } from './bench/synthetic-applications.js';

function features(row: RawRow): Record<string, string | number | null> {
  return Object.fromEntries(Object.entries(row));
}

export async function runDecisionDemo(result: SimulationResult, io: CliIo): Promise<void> {
  const first = result.decisionDbs[0]!;
  const keyFile = join(result.runDir, 'decision-admin.key');
  const server = await startDecisionServer({ dbFile: first.path, port: 0, keyFile, refreshMs: 1000 });
  try {
    const key = readFileSync(keyFile, 'utf8').trim();
    io.stdout.write(`\ndecision API of ${first.name} at ${server.url} (federated model deployed by the node)\n`);
    const rows = first.holdout.rows.slice(0, 5);
    // Each application: a (synthetic) applicant, device and loan request around a real hold-out row's features.
    const people = syntheticApplications(rows.length + 1, 7);
    const bodyFor = (i: number, row: RawRow) => ({ ...people[i]!, features: features(row) });
    for (const [i, row] of rows.entries()) {
      const res = await fetch(`${server.url}/v1/applications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(bodyFor(i, row)),
      });
      const body = (await res.json()) as Record<string, unknown>;
      const actual = first.holdout.labels[i] === 1 ? 'defaulted' : 'repaid';
      io.stdout.write(
        `  POST /v1/applications -> ${res.status} ${String(body['decision']).padEnd(7)} PD ${Number(body['probabilityOfDefault']).toFixed(3)}  score ${String(body['score']).padStart(4)}  grade ${String(body['grade'])}  APR ${body['apr'] === null ? '  -  ' : (Number(body['apr']) * 100).toFixed(1) + '%'}  line ${String(body['creditLimit'])}  model ${String(body['modelVersion'])}  (in the data: ${actual})\n`,
      );
    }
    const bad = await fetch(`${server.url}/v1/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ ...bodyFor(rows.length, rows[0] ?? {}), features: { ...features(rows[0] ?? {}), Age: 'forty' } }),
    });
    io.stdout.write(`  POST with features.Age = "forty" -> ${bad.status} ${JSON.stringify(await bad.json())}\n`);
    const noConsent = await fetch(`${server.url}/v1/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ ...bodyFor(rows.length, rows[0] ?? {}), consent: false }),
    });
    io.stdout.write(`  POST with consent false -> ${noConsent.status} ${JSON.stringify(await noConsent.json())}\n`);
    const audit = await fetch(`${server.url}/v1/audit/verify`, { headers: { authorization: `Bearer ${key}` } });
    io.stdout.write(`  GET /v1/audit/verify -> ${audit.status} ${JSON.stringify(await audit.json())}\n`);
    const anon = await fetch(`${server.url}/v1/applications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    io.stdout.write(`  POST without an API key -> ${anon.status}\n`);
  } finally {
    await server.close();
  }
  io.stdout.write('demo done.\n');
}
