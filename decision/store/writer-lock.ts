/**
 * One decision service writes a database at a time.
 *
 * Why: the audit chain's head (last seq and hash) lives in process memory (decision/audit/audit-chain.ts), and the
 * group-commit writer numbers and hashes each entry from it without reading the table back. Two services writing
 * one database would each extend their own copy of the head: the `seq` primary key makes the second one's batches
 * fail rather than fork the stored chain, but that service would then fail every decision. So the second service
 * must not start at all.
 *
 * PostgreSQL: the service takes a session-level advisory lock ({@link DECISION_WRITER_LOCK_KEY}) with
 * `pg_try_advisory_lock` on a dedicated connection, before it loads the audit chain, and keeps that connection for
 * its whole life; `close()` unlocks and disconnects. Advisory locks are per database, so services on different
 * databases of one cluster do not contend. The lock goes with the session: if the process dies, PostgreSQL drops
 * it as soon as it sees the connection closed (after a host or network failure, when its TCP keepalive gives up;
 * an operator may end the stale session with `pg_terminate_backend(pid)`, the pid being named in the refusal).
 * If the lock's connection is lost while the service runs, another service could take the lock, so the service
 * is told ({@link WriterLockOptions.onLost}) and must stop writing until restarted.
 *
 * SQLite: no lock is taken here (today's behaviour). SQLite's own file lock serialises the writes of processes
 * sharing a file, and a second service's conflicting audit entries are refused by the `seq` primary key; running
 * one service per file is the operator's job (the node may share the file: it deploys models, it writes no audit).
 */
import pg from 'pg';
import { FedriskError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { connectionSecrets, redactConnectionString, scrubSecrets } from '../../common/db/open-knex.js';
import type { DecisionDbConfig } from './decision-db.js';

/**
 * The advisory lock key (one bigint): the ASCII bytes of `fedrisk` followed by 0x01, i.e. 0x6665647269736b01
 * (7378414007074646785).
 * Above 2^32, so it never meets the `pg_advisory_xact_lock(hashtext(...))` keys that migrations take (int4 hashes).
 * In `pg_locks` it shows as locktype `advisory`, classid 1717920882, objid 1769171713, objsubid 1.
 */
export const DECISION_WRITER_LOCK_KEY = 0x6665647269736b01n;

/** `application_name` of the lock's connection, so `pg_stat_activity` shows which session holds it. */
export const WRITER_LOCK_APPLICATION_NAME = 'fedrisk-decision-writer';

export interface WriterLock {
  /** False once the lock's connection was lost: another service may hold the lock now. */
  readonly held: boolean;
  /** Unlocks and closes the dedicated connection (idempotent; a no-op on SQLite). */
  release(): Promise<void>;
}

export interface WriterLockOptions {
  log: Logger;
  /** Called once if the lock's connection fails while held (not after {@link WriterLock.release}). */
  onLost?: (reason: string) => void;
}

/**
 * Makes this process the database's only decision writer, or throws FAILED_PRECONDITION when another service
 * already is (UNAVAILABLE when the database cannot be reached). A no-op on SQLite (see the module comment).
 */
export async function acquireWriterLock(db: DecisionDbConfig, options: WriterLockOptions): Promise<WriterLock> {
  if (db.client === 'sqlite') return { held: true, release: async () => undefined };

  const secrets = connectionSecrets(db.connection);
  const shown = redactConnectionString(db.connection);
  const scrub = (err: unknown): string => scrubSecrets(err instanceof Error ? err.message : String(err), secrets);
  const client = new pg.Client({ connectionString: db.connection, application_name: WRITER_LOCK_APPLICATION_NAME, keepAlive: true });
  let state: 'connecting' | 'held' | 'releasing' | 'lost' = 'connecting';
  const lost = (reason: string): void => {
    if (state !== 'held') return;
    state = 'lost';
    options.log.error('lost the decision writer lock: another service may now write this database; restart this one', { db: shown, reason });
    options.onLost?.(reason);
  };
  // Without a listener an error on an idle client would crash the process.
  client.on('error', (err) => lost(scrub(err)));
  client.on('end', () => lost('connection closed'));

  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new FedriskError('UNAVAILABLE', `cannot connect to the decision database ${shown}: ${scrub(err)}`, { field: 'db' });
  }
  let locked: boolean;
  try {
    const r = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1::bigint) as locked', [DECISION_WRITER_LOCK_KEY.toString()]);
    locked = r.rows[0]?.locked === true;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new FedriskError('UNAVAILABLE', `cannot take the decision writer lock on ${shown}: ${scrub(err)}`, { field: 'db' });
  }
  if (!locked) {
    const holder = await describeHolder(client).catch(() => '');
    await client.end().catch(() => undefined);
    throw new FedriskError(
      'FAILED_PRECONDITION',
      `another decision service already writes this database (${shown}${holder}); stop it first: the audit chain must have a single writer`,
      { field: 'db' },
    );
  }
  state = 'held';
  options.log.debug('decision writer lock taken', { db: shown, advisoryLock: DECISION_WRITER_LOCK_KEY.toString() });

  let releasing: Promise<void> | null = null;
  return {
    get held() {
      return state === 'held';
    },
    release() {
      releasing ??= (async () => {
        const wasHeld = state === 'held';
        state = 'releasing';
        if (wasHeld) await client.query('select pg_advisory_unlock($1::bigint)', [DECISION_WRITER_LOCK_KEY.toString()]).catch(() => undefined);
        await client.end().catch(() => undefined);
      })();
      return releasing;
    },
  };
}

/** Best effort: which session holds the lock (pid, client address, since when), for the refusal message. */
async function describeHolder(client: pg.Client): Promise<string> {
  const high = Number(DECISION_WRITER_LOCK_KEY >> 32n);
  const low = Number(DECISION_WRITER_LOCK_KEY & 0xffffffffn);
  const r = await client.query<{ pid: number; addr: string | null; since: Date | null }>(
    `select l.pid, a.client_addr::text as addr, a.backend_start as since
       from pg_locks l left join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objsubid = 1
        and l.classid = $1::oid and l.objid = $2::oid
        and l.database = (select oid from pg_database where datname = current_database())
      limit 1`,
    [high, low],
  );
  const row = r.rows[0];
  if (!row) return '';
  const since = row.since instanceof Date ? `, since ${row.since.toISOString()}` : '';
  return `; held by PostgreSQL backend pid ${row.pid}${row.addr ? ` from ${row.addr}` : ''}${since}`;
}
