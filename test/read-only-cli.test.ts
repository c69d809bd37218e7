/**
 * The read-only commands of the coordinator and node CLIs: `--help` prints the usage, and a mistyped store path is an
 * error naming the flag instead of a new, empty store (which would report "no job" or no models, and leave a fresh
 * node key behind).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCoordinatorCli } from '../coordinator/cli.js';
import { runNodeCli } from '../node/cli.js';
import { captureCliIo } from '../decision/testing/capture-cli-io.js';

const dir = mkdtempSync(join(tmpdir(), 'fedrisk-read-only-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('coordinator status: --help, and a missing store is an error that creates nothing', async () => {
  const help = captureCliIo();
  assert.equal(await runCoordinatorCli(['status', '--help'], help), 0);
  assert.match(help.out(), /usage: fedrisk coordinator/);
  const missing = join(dir, 'no-such', 'coordinator.sqlite');
  const io = captureCliIo();
  assert.equal(await runCoordinatorCli(['status', '--db', missing], io), 1);
  assert.match(io.err(), /no coordinator store at .*no-such\/coordinator\.sqlite/);
  assert.equal(existsSync(missing), false);
});

test('node models list: --help, --state-dir required, and a folder without node state is an error that creates nothing', async () => {
  const help = captureCliIo();
  assert.equal(await runNodeCli(['models', 'list', '--help'], help), 0);
  assert.match(help.out(), /models list --state-dir DIR/);
  const noFlag = captureCliIo();
  assert.equal(await runNodeCli(['models', 'list'], noFlag), 2);
  assert.match(noFlag.err(), /--state-dir is required/);
  const empty = join(dir, 'node-typo');
  const io = captureCliIo();
  assert.equal(await runNodeCli(['models', 'list', '--state-dir', empty], io), 1);
  assert.match(io.err(), /no node state in .*node-typo/);
  assert.equal(existsSync(join(empty, 'node.key')), false);
});

test('coordinator serve runs a job from a schema file alone (the coordinator holds no data)', async () => {
  const { writeFileSync } = await import('node:fs');
  const tokenFile = join(dir, 'join-token');
  writeFileSync(tokenFile, 'a-join-token-of-enough-length', { mode: 0o600 });
  const stop = new AbortController();
  const io = captureCliIo(stop.signal);
  const db = join(dir, 'coordinator.sqlite');
  const schema = new URL('../datasets/credit_data/schema.json', import.meta.url).pathname;
  const done = runCoordinatorCli(['serve', '--join-token-file', tokenFile, '--schema', schema, '--rounds', '2', '--db', db, '--port', '0', '--log-level', 'error'], io);
  for (let i = 0; i < 400 && !/listening on/.test(io.out()); i++) await new Promise((r) => setTimeout(r, 25));
  assert.match(io.out(), /coordinator listening on/, io.err());
  stop.abort();
  assert.equal(await done, 0, io.err());
  const status = captureCliIo();
  assert.equal(await runCoordinatorCli(['status', '--db', db, '--json'], status), 0, status.err());
  assert.match(status.out(), /credit_data-job/);
  const inferWithoutData = captureCliIo();
  assert.equal(await runCoordinatorCli(['serve', '--join-token-file', tokenFile, '--label', 'Status', '--bad', 'bad', '--db', db], inferWithoutData), 2);
  assert.match(inferWithoutData.err(), /--label\/--bad infer a schema from a CSV/);
});
