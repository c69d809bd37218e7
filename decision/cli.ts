import type { Knex } from 'knex';
import { FedriskError } from '../common/errors.js';
import { createLogger, type Logger, type LogLevel } from '../common/log.js';
import { UsageError, int, parseFlags as parse, str, waitForStop, type CliIo, type FlagValues } from '../common/cli-args.js';
import { connectionSecrets, scrubSecrets } from '../common/db/open-knex.js';
import { startDecisionServer, type DecisionServerConfig } from './decision-server.js';
import { API_KEY_ROLES, createApiKeyStore, isApiKeyRole } from './store/api-key-store.js';
import { openDecisionDb, type DecisionDbConfig } from './store/decision-db.js';
import { migrateAllDecisionTables } from './service/open-decision-service.js';
import { verifyAuditLog } from './audit/index.js';
import { PiiVault, createApplicantStore, loadOrCreateKeyring, rotatePiiKey } from './pii/index.js';
import { createModelStore } from './store/model-store.js';
import { openReviewApplicantTokens } from './reviews/index.js';

export { startDecisionServer, type DecisionServer, type DecisionServerConfig } from './decision-server.js';

export type { CliIo };

export const DECISION_USAGE = `usage: fedrisk decision <command>
  serve --db DB [--port 8080] [--host 127.0.0.1] [--bootstrap] [--key-file PATH] [--pii-keyring PATH]
        [--callback-secret-file PATH] [--apr-cap 0.36] [--retention-days N] [--refresh-ms 1000]
        [--durability full|normal] [--log-level info]
  audit verify --db DB                                             exit 1 and the first broken entry if tampered
  pii rotate-key --db DB [--pii-keyring PATH]                       offline; a running service: POST /v1/admin/pii/rotate-key
  pii purge --db DB --retention-days N [--pii-keyring PATH]
  keys create --db DB --role app|reviewer|admin [--label L]       prints the new key once, on stdout
  keys list --db DB
  keys revoke --db DB --id ID
  models list --db DB [--json]
  models activate --db DB --version V
  migrate --db DB
DB is a SQLite file path, or a postgres:// (postgresql://) URL. Leave the password out of the URL: it is read
from PGPASSWORD or ~/.pgpass (PGPASSFILE), as are PGHOST, PGPORT, PGUSER, PGDATABASE for parts the URL omits.
With a URL, serve requires --pii-keyring and --callback-secret-file, pii requires --pii-keyring, --durability is
refused (SQLite only), and one serve per database may run (a second one is refused).
`;

const PG_URL = /^postgres(?:ql)?:\/\//i;

/**
 * `--db` (and serve's `--durability`), parsed once at the edge into the store's config: a `postgres://` or
 * `postgresql://` URL is PostgreSQL, any other URL scheme is refused, everything else is a SQLite path.
 * `durability` is SQLite's only: given with a URL it is a usage error naming the flag, not silently ignored.
 * Errors never echo the URL (it may hold a password).
 */
export function parseDbFlag(raw: string, durability?: string, flag = 'db'): DecisionDbConfig {
  if (PG_URL.test(raw)) {
    try {
      new URL(raw);
    } catch {
      throw new UsageError(`--${flag}: not a valid postgres:// URL`);
    }
    if (durability !== undefined) {
      throw new UsageError(`--durability applies to a SQLite --${flag} only; with PostgreSQL, durability is the server's synchronous_commit`);
    }
    return { client: 'pg', connection: raw };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw);
  if (scheme) throw new UsageError(`--${flag}: unsupported URL scheme ${scheme[1]}: (a SQLite file path or a postgres:// URL)`);
  const d = durability ?? 'full';
  if (d !== 'full' && d !== 'normal') throw new UsageError('--durability must be full or normal');
  return { client: 'sqlite', filename: raw, durability: d };
}

function dbFlag(v: FlagValues): DecisionDbConfig {
  return parseDbFlag(str(v, 'db', true), str(v, 'durability'));
}

/** A file that defaults to `<sqlite file><suffix>`; with PostgreSQL there is no such file, so the flag is required. */
function sideFile(v: FlagValues, flag: string, db: DecisionDbConfig, suffix: string): string {
  const given = str(v, flag);
  if (given !== undefined) return given;
  if (db.client === 'sqlite') return `${db.filename}${suffix}`;
  throw new UsageError(`--${flag} is required with a PostgreSQL --db (there is no database file to keep it next to)`);
}

/** Secrets in the `--db` URLs of an invocation, to scrub from anything printed (however an error came to hold them). */
function dbSecretsIn(argv: readonly string[]): string[] {
  const urls: string[] = [];
  argv.forEach((a, i) => {
    if (a === '--db' && argv[i + 1] !== undefined) urls.push(argv[i + 1]!);
    else if (a.startsWith('--db=')) urls.push(a.slice('--db='.length));
  });
  return urls.filter((u) => PG_URL.test(u)).flatMap(connectionSecrets);
}

/** Writes through `io`, scrubbing `secrets` first. */
function scrubbedIo(io: CliIo, secrets: readonly string[]): CliIo {
  if (secrets.length === 0) return io;
  return {
    stdout: { write: (t: string) => io.stdout.write(scrubSecrets(t, secrets)) },
    stderr: { write: (t: string) => io.stderr.write(scrubSecrets(t, secrets)) },
    ...(io.signal ? { signal: io.signal } : {}),
  };
}

const PASSWORD_IN_URL =
  'the --db URL holds a password, which other local users can read in the process list; leave it out and use PGPASSWORD or ~/.pgpass';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

async function withDb<T>(db: DecisionDbConfig, work: (knex: Knex) => Promise<T>): Promise<T> {
  const knex = openDecisionDb(db);
  try {
    await migrateAllDecisionTables(knex);
    return await work(knex);
  } finally {
    await knex.destroy();
  }
}

async function serve(args: string[], io: CliIo): Promise<number> {
  const v = parse(args, {
    db: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'refresh-ms': { type: 'string' },
    'key-file': { type: 'string' },
    'log-level': { type: 'string' },
    durability: { type: 'string' },
    bootstrap: { type: 'boolean' },
    'pii-keyring': { type: 'string' },
    'callback-secret-file': { type: 'string' },
    'apr-cap': { type: 'string' },
    'retention-days': { type: 'string' },
  });
  if (v['help']) return usage(io, 0);
  const level = str(v, 'log-level') ?? 'info';
  if (!(LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level must be one of ${LEVELS.join(', ')}`);
  const logger: Logger = createLogger({
    level: level as LogLevel,
    sink: (line) => io.stderr.write(line + '\n'),
    base: { svc: 'decision' },
  });
  const db = dbFlag(v);
  const config: DecisionServerConfig = {
    db,
    port: int(v, 'port', 8080, 0, 65535),
    host: str(v, 'host') ?? '127.0.0.1',
    refreshMs: int(v, 'refresh-ms', 1000, 10, 3_600_000),
    logger,
    piiKeyringFile: sideFile(v, 'pii-keyring', db, '.pii-keyring.json'),
    callbackSecretFile: sideFile(v, 'callback-secret-file', db, '.callback-secret'),
  };
  const keyFile = str(v, 'key-file');
  if (keyFile !== undefined) config.keyFile = keyFile;
  const cap = str(v, 'apr-cap');
  if (cap !== undefined) {
    const n = Number(cap);
    if (!Number.isFinite(n) || n <= 0 || n > 0.36) throw new UsageError('--apr-cap must be a rate in (0, 0.36], e.g. 0.24');
    config.aprCap = n;
  }
  if (str(v, 'retention-days') !== undefined) config.retentionDays = int(v, 'retention-days', 365, 1, 36_500);
  config.bootstrap = v['bootstrap'] === true;
  if (db.client === 'pg' && connectionSecrets(db.connection).length > 0) logger.warn(PASSWORD_IN_URL);
  const server = await startDecisionServer(config);
  if (server.adminKeyCreated) io.stdout.write(`admin API key written to ${keyFile}\n`);
  io.stdout.write(`decision service listening on ${server.url}\n`);
  const why = await waitForStop(io.signal);
  logger.info('stopping', { reason: why });
  await server.close();
  return 0;
}

async function keys(action: string | undefined, args: string[], io: CliIo): Promise<number> {
  const v = parse(args, { db: { type: 'string' }, role: { type: 'string' }, label: { type: 'string' }, id: { type: 'string' } });
  if (v['help']) return usage(io, 0);
  const db = dbFlag(v);
  if (action === 'create') {
    const role = str(v, 'role', true);
    if (!isApiKeyRole(role)) throw new UsageError(`--role must be one of ${API_KEY_ROLES.join(', ')}`);
    const { id, key } = await withDb(db, (k) => createApiKeyStore(k).create(role, str(v, 'label') ?? ''));
    io.stderr.write(`created ${role} API key ${id} (shown once; store it now)\n`);
    io.stdout.write(key + '\n');
    return 0;
  }
  if (action === 'list') {
    const rows = await withDb(db, (k) => createApiKeyStore(k).list());
    for (const r of rows) {
      io.stdout.write(`${r.id}  ${r.role.padEnd(8)}  ${r.createdAt}  ${r.revokedAt ? `revoked ${r.revokedAt}` : 'active'}  ${r.label}\n`);
    }
    return 0;
  }
  if (action === 'revoke') {
    const id = str(v, 'id', true);
    await withDb(db, (k) => createApiKeyStore(k).revoke(id));
    io.stdout.write(`revoked ${id}\n`);
    return 0;
  }
  throw new UsageError(`unknown keys command ${JSON.stringify(action ?? '')}`);
}

async function models(action: string | undefined, args: string[], io: CliIo): Promise<number> {
  const v = parse(args, { db: { type: 'string' }, version: { type: 'string' }, json: { type: 'boolean' } });
  if (v['help']) return usage(io, 0);
  const db = dbFlag(v);
  if (action === 'list') {
    const rows = await withDb(db, (k) => createModelStore(k).list());
    if (v['json']) io.stdout.write(JSON.stringify(rows) + '\n');
    else if (rows.length === 0) io.stdout.write('no models deployed\n');
    else for (const r of rows) io.stdout.write(`${r.active ? '*' : ' '} ${r.version}  created ${r.createdAt}  deployed ${r.deployedAt}\n`);
    return 0;
  }
  if (action === 'activate') {
    const version = str(v, 'version', true);
    await withDb(db, (k) => createModelStore(k).activate(version));
    io.stdout.write(`active model: ${version}\n`);
    return 0;
  }
  throw new UsageError(`unknown models command ${JSON.stringify(action ?? '')}`);
}

async function audit(action: string | undefined, args: string[], io: CliIo): Promise<number> {
  if (action !== 'verify') throw new UsageError(`unknown audit command ${JSON.stringify(action ?? '')}`);
  const v = parse(args, { db: { type: 'string' }, json: { type: 'boolean' } });
  if (v['help']) return usage(io, 0);
  const r = await withDb(dbFlag(v), (k) => verifyAuditLog(k));
  if (v['json']) io.stdout.write(JSON.stringify(r) + '\n');
  else if (r.ok) io.stdout.write(`audit log ok: ${r.entries} entries, head ${r.head}\n`);
  else io.stdout.write(`audit log BROKEN at entry ${r.firstBroken?.seq}: ${r.firstBroken?.reason} (${r.entries} entries checked)\n`);
  return r.ok ? 0 : 1;
}

async function pii(action: string | undefined, args: string[], io: CliIo): Promise<number> {
  const v = parse(args, { db: { type: 'string' }, 'pii-keyring': { type: 'string' }, 'retention-days': { type: 'string' } });
  if (v['help']) return usage(io, 0);
  const db = dbFlag(v);
  const keyringPath = sideFile(v, 'pii-keyring', db, '.pii-keyring.json');
  return withDb(db, async (knex) => {
    const vault = new PiiVault(loadOrCreateKeyring(keyringPath));
    const store = createApplicantStore(knex, vault);
    if (action === 'rotate-key') {
      const r = await rotatePiiKey({ keyringPath, vault, store });
      io.stdout.write(`active key ${r.activeKeyId}; re-encrypted ${r.reencrypted} applicant(s); retired ${r.retired.length} key(s)\n`);
      return 0;
    }
    if (action === 'purge') {
      str(v, 'retention-days', true);
      const days = int(v, 'retention-days', 0, 1, 36_500);
      const cutoff = new Date(Date.now() - days * 86_400_000).toISOString();
      const n = await store.purgeOlderThan(cutoff, new Date().toISOString(), { pendingTokens: openReviewApplicantTokens(knex) });
      io.stdout.write(`purged the PII of ${n} applicant(s) inactive since ${cutoff}\n`);
      return 0;
    }
    throw new UsageError(`unknown pii command ${JSON.stringify(action ?? '')}`);
  });
}

function usage(io: CliIo, code: number): number {
  (code === 0 ? io.stdout : io.stderr).write(DECISION_USAGE);
  return code;
}

/**
 * `fedrisk decision ...`: returns the exit code instead of exiting, so the top-level binary and tests share it.
 * Exit 2 for a wrong invocation (unknown command or flag, bad value), 1 for a failure doing the work.
 */
export async function runDecisionCli(argv: string[], rawIo: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  const secrets = dbSecretsIn(rest);
  const io = scrubbedIo(rawIo, secrets);
  if (secrets.length > 0 && command !== 'serve') io.stderr.write(`fedrisk decision: warning: ${PASSWORD_IN_URL}\n`);
  try {
    switch (command) {
      case 'serve':
        return await serve(rest, io);
      case 'migrate': {
        const v = parse(rest, { db: { type: 'string' } });
        if (v['help']) return usage(io, 0);
        const knex = openDecisionDb(dbFlag(v));
        try {
          const applied = await migrateAllDecisionTables(knex);
          io.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'decision store is up to date\n');
        } finally {
          await knex.destroy();
        }
        return 0;
      }
      case 'keys':
        return await keys(rest[0], rest.slice(1), io);
      case 'audit':
        return await audit(rest[0], rest.slice(1), io);
      case 'pii':
        return await pii(rest[0], rest.slice(1), io);
      case 'models':
        return await models(rest[0], rest.slice(1), io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return usage(io, command === undefined ? 2 : 0);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`fedrisk decision: ${err.message}\n${DECISION_USAGE}`);
      return 2;
    }
    const message = err instanceof FedriskError ? err.message : err instanceof Error ? err.message : String(err);
    io.stderr.write(`fedrisk decision: ${message}\n`);
    return err instanceof FedriskError && err.code === 'INVALID_ARGUMENT' ? 2 : 1;
  }
}
