/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temporary folder, `pg_ctl start` on a free loopback port
 * with trust auth, one fresh database per suite, everything killed and removed afterwards.
 *
 * The server binaries come from the Debian package (`scripts/ensure-postgres.sh` installs them on a CI machine);
 * `FEDRISK_PG_BIN` may point at another `bin` folder. Running as root (as CI does), the cluster runs as the
 * `postgres` OS user, because PostgreSQL refuses to run as root. `FEDRISK_TEST_PG_URL` (a superuser connection
 * string to an existing server) skips starting a cluster altogether.
 *
 * One cluster per test process (`sharedPgServer`), started on first use and stopped when the process exits; a
 * cluster left behind by a killed process is swept by the next start.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgServer {
  /** Superuser connection string to the cluster's `postgres` database. */
  connectionString: string;
  /** Creates an empty database `t_<random>` and returns its connection string. */
  createDatabase(): Promise<string>;
  /** Drops a database made by {@link createDatabase} (closing whatever is still connected to it). */
  dropDatabase(connectionString: string): Promise<void>;
  /** Stops the cluster and removes its folder (idempotent). */
  stop(): Promise<void>;
}

const PG_LIB = '/usr/lib/postgresql';
const DIR_PREFIX = 'fedrisk-pg-';

/** The newest installed server `bin` folder holding initdb and pg_ctl, or null. */
export function findPgBin(): string | null {
  const override = process.env.FEDRISK_PG_BIN;
  if (override) return existsSync(join(override, 'initdb')) ? override : null;
  let versions: string[];
  try {
    versions = readdirSync(PG_LIB);
  } catch {
    return null;
  }
  const found = versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(PG_LIB, v, 'bin'))
    .find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
  return found ?? null;
}

/** CI=true (or any value but empty, 0, false), as CI systems set it. */
export function inCi(): boolean {
  const v = process.env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * Why the PostgreSQL variants cannot run here, or null when they can. Throws when CI is set and the server is
 * missing: CI must exercise PostgreSQL, so a missing server is a failure there, never a silent skip.
 */
export function pgSkipReason(): string | null {
  if (process.env.FEDRISK_TEST_PG_URL) return null;
  if (findPgBin()) return null;
  const override = process.env.FEDRISK_PG_BIN;
  const why = override
    ? `no PostgreSQL server binaries in FEDRISK_PG_BIN=${override} (no initdb there)`
    : `no PostgreSQL server binaries (${PG_LIB}/*/bin/initdb)`;
  if (inCi()) {
    throw new Error(`${why}: CI must test the PostgreSQL backend. Run \`bash scripts/ensure-postgres.sh\` (as root) before the tests.`);
  }
  return `${why}; run \`bash scripts/ensure-postgres.sh\` to install them`;
}

function run(file: string, args: string[], asUser: string | null, cwd: string): Promise<string> {
  const [cmd, argv] = asUser ? ['runuser', ['-u', asUser, '--', file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    // cwd: a folder the server's user can enter (root's working directory may be closed to it).
    execFile(cmd, argv, { cwd, timeout: 60_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Synchronous stop + remove, usable from an `exit` handler. */
function killCluster(bin: string, dir: string, asUser: string | null): void {
  const data = join(dir, 'data');
  if (existsSync(join(data, 'postmaster.pid'))) {
    const args = ['-D', data, '-m', 'immediate', '-w', '-t', '20', 'stop'];
    const [cmd, argv] = asUser ? ['runuser', ['-u', asUser, '--', join(bin, 'pg_ctl'), ...args]] : [join(bin, 'pg_ctl'), args];
    spawnSync(cmd, argv, { cwd: dir, stdio: 'ignore', timeout: 30_000 });
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Stops and removes clusters whose owning test process is gone (killed before it could clean up). */
function sweepStale(bin: string, asUser: string | null): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let owner = 0;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue; // just being created, or not ours
    }
    if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) killCluster(bin, dir, asUser);
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe database name ${name}`);
  return `"${name}"`;
}

async function adminQuery(connectionString: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withDatabase(connectionString: string, db: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${db}`;
  return url.toString();
}

function databaseOf(connectionString: string): string {
  return decodeURIComponent(new URL(connectionString).pathname.slice(1));
}

/**
 * `prefetch`: databases created ahead in the background (only on a cluster of our own, which is thrown away with
 * whatever it holds). CREATE DATABASE costs a few hundred ms here (copying template1) and runs well in parallel,
 * so a suite rarely waits for its fresh database.
 */
function databaseApi(admin: string, prefetch = 0): Pick<PgServer, 'createDatabase' | 'dropDatabase'> {
  const create = async (): Promise<string> => {
    const name = `t_${randomBytes(8).toString('hex')}`;
    await adminQuery(admin, `CREATE DATABASE ${quoteIdent(name)}`);
    return withDatabase(admin, name);
  };
  const ready: Promise<string>[] = [];
  const refill = (): void => {
    while (ready.length < prefetch) {
      const p = create();
      p.catch(() => undefined); // reported to whoever takes it
      ready.push(p);
    }
  };
  return {
    createDatabase() {
      const next = ready.shift() ?? create();
      refill();
      return next;
    },
    async dropDatabase(connectionString) {
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${quoteIdent(databaseOf(connectionString))} WITH (FORCE)`);
    },
  };
}

/** Starts a new throwaway cluster. Prefer {@link sharedPgServer} in tests. */
export async function startPgServer(): Promise<PgServer> {
  const external = process.env.FEDRISK_TEST_PG_URL;
  if (external) return { connectionString: external, ...databaseApi(external), stop: async () => {} };

  const bin = findPgBin();
  if (!bin) throw new Error(pgSkipReason() ?? 'no PostgreSQL server binaries');
  const asUser = userInfo().uid === 0 ? 'postgres' : null;
  if (asUser && spawnSync('id', ['-u', asUser], { stdio: 'ignore' }).status !== 0) {
    throw new Error('running as root, but there is no `postgres` OS user to run the server as (the postgresql package creates it)');
  }
  sweepStale(bin, asUser);

  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  // First thing: a folder whose owner died (even during initdb) is swept by the next start of any test process.
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const data = join(dir, 'data');
  let stopped = false;
  const cleanup = (): void => {
    if (stopped) return;
    stopped = true;
    process.off('exit', cleanup);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    killCluster(bin, dir, asUser);
  };
  // `exit` handlers do not run when a signal ends the process (the test runner's timeout, Ctrl-C): clean up, then
  // die of the same signal as if nobody had listened.
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanup();
    process.kill(process.pid, signal);
  };
  process.on('exit', cleanup);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (asUser) {
      const uid = Number(spawnSync('id', ['-u', asUser], { encoding: 'utf8' }).stdout.trim());
      const gid = Number(spawnSync('id', ['-g', asUser], { encoding: 'utf8' }).stdout.trim());
      chownSync(dir, uid, gid);
    }
    await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], asUser, dir);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const opts = [
        "-c listen_addresses='127.0.0.1'",
        `-p ${port}`,
        `-k ${dir}`,
        // A throwaway cluster: durability buys nothing here.
        '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
        '-c max_connections=200',
      ].join(' ');
      try {
        await run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '30', 'start'], asUser, dir);
        break;
      } catch (err) {
        // Lost the port to someone else between probing and binding: try another.
        if (attempt >= 3) {
          let log = '';
          try {
            log = readFileSync(join(dir, 'server.log'), 'utf8');
          } catch {
            /* no log */
          }
          throw new Error(`${(err as Error).message}\nserver log:\n${log}`);
        }
      }
    }
    const connectionString = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      connectionString,
      ...databaseApi(connectionString, 2),
      stop: async () => cleanup(),
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}

let shared: Promise<PgServer> | null = null;

/** The cluster of this test process, started on first use; stopped when the process exits. */
export function sharedPgServer(): Promise<PgServer> {
  if (!shared) {
    shared = startPgServer();
    shared.catch(() => {
      shared = null;
    });
  }
  return shared;
}
