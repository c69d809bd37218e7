import { validIdNumber, validPhone } from './pii/valid-id-number.js';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { parseDbFlag, runDecisionCli } from './cli.js';
import { createApiKeyStore } from './store/api-key-store.js';
import { createDecisionDb, migrateDecisionDb } from './store/decision-db.js';
import { createModelStore } from './store/model-store.js';
import { tempDir, tinyModel } from './testing/tiny-model.js';
import { captureCliIo as capture } from './testing/capture-cli-io.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await runDecisionCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('fedrisk decision CLI', () => {
  const tmp = tempDir();
  const db = tmp.file('cli.sqlite');
  after(() => tmp.cleanup());

  it('migrates, and says so only the first time', async () => {
    const first = await run(['migrate', '--db', db]);
    assert.equal(first.code, 0);
    assert.match(first.out, /applied: 20261122000100_models/);
    assert.equal((await run(['migrate', '--db', db])).out, 'decision store is up to date\n');
  });

  it('refuses unknown commands, unknown flags and bad values with exit 2', async () => {
    const flag = await run(['models', 'list', '--db', db, '--colour']);
    assert.equal(flag.code, 2);
    assert.match(flag.err, /--colour/);
    assert.equal((await run(['frobnicate'])).code, 2);
    assert.equal((await run(['models', 'delete', '--db', db])).code, 2);
    assert.equal((await run(['keys', 'create', '--db', db, '--role', 'root'])).code, 2);
    assert.equal((await run(['keys', 'create', '--role', 'app'])).code, 2, '--db is required');
    assert.equal((await run(['serve', '--db', db, '--port', '99999'])).code, 2);
    assert.equal((await run([])).code, 2);
    assert.equal((await run(['--help'])).code, 0);
  });

  it('parses --db once: a postgres:// URL is PostgreSQL, another scheme is refused, anything else a SQLite path', () => {
    assert.deepEqual(parseDbFlag('postgres://risk@db.internal:5432/decisions?sslmode=require'), {
      client: 'pg',
      connection: 'postgres://risk@db.internal:5432/decisions?sslmode=require',
    });
    assert.deepEqual(parseDbFlag('postgresql:///decisions'), { client: 'pg', connection: 'postgresql:///decisions' });
    assert.deepEqual(parseDbFlag('/var/lib/fedrisk/decision.sqlite'), { client: 'sqlite', filename: '/var/lib/fedrisk/decision.sqlite', durability: 'full' });
    assert.deepEqual(parseDbFlag('d.sqlite', 'normal'), { client: 'sqlite', filename: 'd.sqlite', durability: 'normal' });
    assert.throws(() => parseDbFlag('mysql://h/db'), /unsupported URL scheme mysql/);
    assert.throws(() => parseDbFlag('postgres://risk@db/x', 'full'), /--durability applies to a SQLite --db only/);
    assert.throws(() => parseDbFlag('d.sqlite', 'fast'), /--durability must be full or normal/);
  });

  it('with a PostgreSQL --db: refuses --durability, requires the keyring and secret files, never echoes the password', async () => {
    const secret = 'hunter2-not-printed';
    // Port 1 on loopback: nothing listens, so a command that gets as far as connecting fails fast (exit 1).
    const url = `postgres://risk:${secret}@127.0.0.1:1/decisions`;
    const files = ['--pii-keyring', tmp.file('pg-keyring.json'), '--callback-secret-file', tmp.file('pg-callback-secret')];
    const results: { code: number; out: string; err: string }[] = [];
    const check = async (args: string[], code: number, message: RegExp): Promise<void> => {
      const r = await run(args);
      results.push(r);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
    };
    await check(['serve', '--db', url, '--durability', 'normal', ...files], 2, /--durability applies to a SQLite --db only/);
    await check(['serve', '--db', url, '--callback-secret-file', tmp.file('s')], 2, /--pii-keyring is required with a PostgreSQL --db/);
    await check(['serve', '--db', url, '--pii-keyring', tmp.file('k')], 2, /--callback-secret-file is required with a PostgreSQL --db/);
    await check(['pii', 'purge', '--db', url, '--retention-days', '30'], 2, /--pii-keyring is required with a PostgreSQL --db/);
    await check(['pii', 'rotate-key', '--db', url], 2, /--pii-keyring is required/);
    await check(['keys', 'list', '--db', 'sqlite://x.db'], 2, /unsupported URL scheme sqlite/);
    await check(['serve', '--db', url, '--port', '0', ...files], 1, /cannot connect to the decision database postgres:\/\/risk:\*\*\*@127\.0\.0\.1:1\/decisions/);
    await check(['keys', 'list', '--db', url], 1, /ECONNREFUSED/);
    assert.match(results.at(-1)!.err, /holds a password.*PGPASSWORD or ~\/\.pgpass/);
    for (const r of results) assert.ok(!r.out.includes(secret) && !r.err.includes(secret), r.err);
  });

  it('creates a key, printing it once on stdout, and revokes it', async () => {
    const r = await run(['keys', 'create', '--db', db, '--role', 'app', '--label', 'mobile app']);
    assert.equal(r.code, 0);
    const key = r.out.trim();
    assert.match(key, /^frk_[A-Za-z0-9_-]{43}$/);
    assert.ok(!r.err.includes(key));
    const id = /API key ([0-9a-f-]{36})/.exec(r.err)![1]!;
    const listed = await run(['keys', 'list', '--db', db]);
    assert.match(listed.out, new RegExp(`${id}\\s+app\\s+.*active\\s+mobile app`));
    assert.ok(!listed.out.includes(key));
    assert.equal((await run(['keys', 'revoke', '--db', db, '--id', id])).code, 0);
    const knex = createDecisionDb({ filename: db });
    try {
      assert.equal(await createApiKeyStore(knex).verify(key), null);
    } finally {
      await knex.destroy();
    }
  });

  it('lists and activates models', async () => {
    assert.equal((await run(['models', 'list', '--db', db])).out, 'no models deployed\n');
    const knex = createDecisionDb({ filename: db });
    try {
      await migrateDecisionDb(knex);
      await createModelStore(knex).deploy(tinyModel('c1'), { activate: true });
      await createModelStore(knex).deploy(tinyModel('c2'), { activate: false });
    } finally {
      await knex.destroy();
    }
    assert.equal((await run(['models', 'activate', '--db', db, '--version', 'c2'])).out, 'active model: c2\n');
    const json = JSON.parse((await run(['models', 'list', '--db', db, '--json'])).out) as { version: string; active: boolean }[];
    assert.deepEqual(json.map((m) => [m.version, m.active]), [['c1', false], ['c2', true]]);
    assert.match((await run(['models', 'list', '--db', db])).out, /^\* c2 /m);
    const missing = await run(['models', 'activate', '--db', db, '--version', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /not deployed/);
  });

  it('serves, bootstrapping an admin key file (0600) without printing the key, until stopped', async () => {
    const serveDb = tmp.file('serve.sqlite');
    const keyFile = tmp.file('admin.key');
    const stop = new AbortController();
    const io = capture(stop.signal);
    const done = runDecisionCli(['serve', '--db', serveDb, '--port', '0', '--refresh-ms', '50', '--key-file', keyFile], io);
    const url = await (async () => {
      for (let i = 0; i < 200; i++) {
        const m = /listening on (http:\/\/\S+)/.exec(io.out());
        if (m) return m[1]!;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`server did not start: ${io.err()}`);
    })();
    const key = readFileSync(keyFile, 'utf8').trim();
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.ok(!io.out().includes(key) && !io.err().includes(key), 'the key is never printed or logged');
    const res = await fetch(`${url}/v1/applications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        applicant: { idNumber: validIdNumber(), name: 'Li Lei', phone: validPhone() },
        features: { Income: 1, Home: 'own' },
        amount: 1000,
        termMonths: 12,
        device: { model: 'Xiaomi 14', os: 'Android 14', ip: '192.0.2.10' },
        consent: true,
      }),
    });
    assert.equal(res.status, 503, 'admin key accepted; no model yet');
    stop.abort();
    assert.equal(await done, 0);

    // A second start leaves an existing key file alone.
    const again = new AbortController();
    const io2 = capture(again.signal);
    const second = runDecisionCli(['serve', '--db', serveDb, '--port', '0', '--key-file', keyFile], io2);
    for (let i = 0; i < 200 && !io2.out().includes('listening'); i++) await new Promise((r) => setTimeout(r, 25));
    again.abort();
    assert.equal(await second, 0);
    assert.equal(readFileSync(keyFile, 'utf8').trim(), key);
    assert.ok(!io2.out().includes('admin API key written'));
  });
});
