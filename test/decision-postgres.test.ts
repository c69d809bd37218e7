/**
 * The decision service on PostgreSQL, end to end: `fedrisk decision serve --db postgres://...` (the CLI, in
 * process, over real HTTP) on a fresh database of a throwaway cluster (test/support/pg-server.ts). A decision and a
 * clean audit chain; a second service on the same database refused (single writer: decision/store/writer-lock.ts);
 * a restart that continues the chain; a lost writer lock that stops further decisions; and the URL's password
 * never printed or logged. Without PostgreSQL binaries the suite is skipped with its reason (failed under CI).
 *
 *   node --import tsx --test test/decision-postgres.test.ts
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { FedriskError } from '../common/errors.js';
import { createLogger } from '../common/log.js';
import { runDecisionCli, type CliIo } from '../decision/cli.js';
import { BOOTSTRAP_MODEL_PATH, openDecisionService } from '../decision/service/open-decision-service.js';
import { createModelStore, migrateDecisionDb, openDecisionDb, parseDbFlag } from '../decision/index.js';
import type { LogisticModel } from '../common/model/logistic-model.js';
import { WRITER_LOCK_APPLICATION_NAME } from '../decision/store/writer-lock.js';
import { syntheticApplications } from '../simulations/bench/synthetic-applications.js';
import { pgSkipReason, sharedPgServer, type PgServer } from './support/pg-server.js';
import { captureCliIo as capture } from '../decision/testing/capture-cli-io.js';

/** Put into the URL (the test cluster trusts loopback, so the server never asks for it); must never be printed. */
const PASSWORD = 'sw0rdfish@Not-For-Logs';
const MARK = 'sw0rdfish';

interface Running {
  io: CliIo & { out(): string; err(): string };
  stop: AbortController;
  done: Promise<number>;
  url: string;
}

let skip: string | null = null;
let unavailable: unknown = null;
try {
  skip = pgSkipReason();
} catch (err) {
  unavailable = err; // under CI a missing PostgreSQL is a failure, reported as one
}

describe('decision service on PostgreSQL', { skip: skip ?? false }, () => {
  if (unavailable !== null) {
    it('PostgreSQL is available', () => {
      throw unavailable;
    });
    return;
  }

  let server: PgServer;
  let plainUrl: string;
  let dbUrl: string;
  let dir: string;
  const outputs: (() => string)[] = [];
  const running: Running[] = [];
  const pool = syntheticApplications(20, 7);
  let adminKey = '';
  let entriesBeforeRestart = 0;

  const files = (): string[] => [
    '--pii-keyring',
    join(dir, 'pii-keyring.json'),
    '--callback-secret-file',
    join(dir, 'callback-secret'),
    '--key-file',
    join(dir, 'admin.key'),
  ];

  async function serve(): Promise<Running> {
    const stop = new AbortController();
    const io = capture(stop.signal);
    outputs.push(io.out, io.err);
    const done = runDecisionCli(['serve', '--db', dbUrl, '--port', '0', '--bootstrap', '--refresh-ms', '100', '--log-level', 'debug', ...files()], io);
    for (let i = 0; i < 1200; i++) {
      const m = /listening on (http:\/\/\S+)/.exec(io.out());
      if (m) {
        const r = { io, stop, done, url: m[1]! };
        running.push(r);
        return r;
      }
      const exited = await Promise.race([done.then((code) => code), new Promise<null>((r) => setTimeout(() => r(null), 25))]);
      if (exited !== null) throw new Error(`serve exited with ${exited}: ${io.err()}`);
    }
    throw new Error(`server did not start: ${io.err()}`);
  }

  async function call(r: Running, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${r.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const io = capture();
    outputs.push(io.out, io.err);
    const code = await runDecisionCli(args, io);
    return { code, out: io.out(), err: io.err() };
  }

  async function stopService(r: Running): Promise<number> {
    r.stop.abort();
    const code = await r.done;
    running.splice(running.indexOf(r), 1);
    return code;
  }

  before(async () => {
    const t0 = performance.now();
    server = await sharedPgServer();
    plainUrl = await server.createDatabase();
    console.log(`# PostgreSQL test cluster and database up in ${Math.round(performance.now() - t0)} ms`);
    const u = new URL(plainUrl);
    u.password = PASSWORD;
    dbUrl = u.toString();
    assert.ok(dbUrl.includes(MARK), 'the URL carries the password');
    dir = mkdtempSync(join(tmpdir(), 'fedrisk-decision-pg-'));
  });

  after(async () => {
    for (const r of running.splice(0)) {
      r.stop.abort();
      await r.done.catch(() => undefined);
    }
    if (server && plainUrl) await server.dropDatabase(plainUrl);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves on PostgreSQL: a decision, and the audit chain verifies', async () => {
    const first = await serve();
    adminKey = readFileSync(join(dir, 'admin.key'), 'utf8').trim();
    const res = await call(first, 'POST', '/v1/applications', pool[0]);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.ok(['approve', 'review', 'reject'].includes(res.body['decision'] as string), JSON.stringify(res.body));
    assert.equal(res.body['modelVersion'], 'credit_data-bootstrap-v1');
    const got = await call(first, 'GET', `/v1/applications/${res.body['applicationId'] as string}`);
    assert.equal(got.status, 200);
    assert.equal(got.body['decision'], res.body['decision']);
    const verify = await call(first, 'GET', '/v1/audit/verify');
    assert.equal(verify.status, 200, JSON.stringify(verify.body));
    assert.equal(verify.body['ok'], true);
    assert.ok((verify.body['entries'] as number) >= 1);
    entriesBeforeRestart = verify.body['entries'] as number;
  });

  it('refuses a second service on the same database, naming why; offline commands still work alongside', async () => {
    assert.equal(running.length, 1, 'the first service is running');
    const second = await cli(['serve', '--db', dbUrl, '--port', '0', ...files()]);
    assert.equal(second.code, 1, second.err);
    assert.match(second.err, /another decision service already writes this database/);
    assert.match(second.err, /held by PostgreSQL backend pid \d+/);

    const err = await openDecisionService({
      db: { client: 'pg', connection: dbUrl },
      piiKeyringFile: join(dir, 'other-keyring.json'),
      callbackSecretFile: join(dir, 'other-secret'),
      refreshMs: 1000,
      bootstrap: false,
      log: createLogger({ sink: (l) => void outputs.push(() => l) }),
    }).then(
      () => assert.fail('a second service opened'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof FedriskError, String(err));
    assert.equal(err.code, 'FAILED_PRECONDITION');
    assert.match(err.message, /another decision service already writes this database/);

    // The CLI's other subcommands take --db URLs too, and do not need the writer lock.
    const audit = await cli(['audit', 'verify', '--db', dbUrl]);
    assert.equal(audit.code, 0, audit.err);
    assert.match(audit.out, new RegExp(`^audit log ok: ${entriesBeforeRestart} entries`));
    const keys = await cli(['keys', 'list', '--db', dbUrl]);
    assert.equal(keys.code, 0, keys.err);
    assert.match(keys.out, /admin\s+.*active\s+bootstrap \(key file\)/);
    const models = await cli(['models', 'list', '--db', dbUrl]);
    assert.match(models.out, /^\* credit_data-bootstrap-v1 /m);
    assert.equal((await cli(['migrate', '--db', dbUrl])).out, 'decision store is up to date\n');
    assert.match(keys.err, /holds a password/, 'warned about the password on the command line');
  });

  it('after a restart the chain continues: another decision, and the audit log still verifies', async () => {
    assert.equal(await stopService(running[0]!), 0);
    const again = await serve();
    assert.ok(!again.io.out().includes('admin API key written'), 'the key file is left alone');
    const res = await call(again, 'POST', '/v1/applications', pool[1]);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const verify = await call(again, 'GET', '/v1/audit/verify');
    assert.equal(verify.status, 200, JSON.stringify(verify.body));
    assert.equal(verify.body['ok'], true);
    assert.ok((verify.body['entries'] as number) > entriesBeforeRestart, `${verify.body['entries']} > ${entriesBeforeRestart}`);
  });

  it("a model deployed the way a node deploys (--decision-db URL) is picked up by the running service", async () => {
    const r = running[0]!;
    // What `fedrisk node run --decision-db postgres://...` does with each federated model (node/cli.ts).
    const knex = openDecisionDb(parseDbFlag(dbUrl, undefined, 'decision-db'));
    try {
      await migrateDecisionDb(knex);
      const model = { ...(JSON.parse(readFileSync(BOOTSTRAP_MODEL_PATH, 'utf8')) as LogisticModel), version: 'credit_data-federated-r2' };
      await createModelStore(knex).deploy(model, { activate: true });
    } finally {
      await knex.destroy();
    }
    let seen = '';
    for (let i = 0; i < 100 && seen !== 'credit_data-federated-r2'; i++) {
      const res = await call(r, 'POST', '/v1/applications', pool[3 + (i % 10)]);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      seen = res.body['modelVersion'] as string;
      if (seen !== 'credit_data-federated-r2') await new Promise((res2) => setTimeout(res2, 50));
    }
    assert.equal(seen, 'credit_data-federated-r2');
  });

  it('fails closed when the writer lock is lost: no further decision is written', async () => {
    const r = running[0]!;
    const admin = new pg.Client({ connectionString: plainUrl });
    await admin.connect();
    try {
      const killed = await admin.query(
        'select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1 and datname = current_database()',
        [WRITER_LOCK_APPLICATION_NAME],
      );
      assert.equal(killed.rowCount, 1, 'one lock session');
    } finally {
      await admin.end();
    }
    for (let i = 0; i < 200 && !r.io.err().includes('lost the decision writer lock'); i++) await new Promise((res) => setTimeout(res, 25));
    assert.match(r.io.err(), /lost the decision writer lock/);
    const res = await call(r, 'POST', '/v1/applications', pool[2]);
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(await stopService(r), 0);
  });

  it("never prints or logs the URL's password (only the redacted URL)", () => {
    const all = outputs.map((o) => o()).join('\n');
    assert.ok(all.length > 0);
    assert.ok(!all.includes(MARK), 'the password appears in the output');
    assert.ok(!all.includes(encodeURIComponent(PASSWORD)));
    assert.match(all, /postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/t_[0-9a-f]+/, 'the store is logged, redacted');
  });
});
