import { constants as fsConstants } from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FedriskError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/log.js';
import { createDecisionHttpHandler } from './http/create-decision-app.js';
import { DEFAULT_REFRESH_MS } from './scoring/active-model-cache.js';
import type { ApiKeyStore } from './store/api-key-store.js';
import { openDecisionService, resolveDecisionDb, type DecisionService } from './service/open-decision-service.js';
import type { DecisionDbConfig } from './store/decision-db.js';

/** Everything a decision service process needs, read once at the edge (CLI flags, or a test). */
export interface DecisionServerConfig {
  /**
   * The decision store (created and migrated if needed): a SQLite file, or a PostgreSQL database, of which this
   * service must be the only writer (a second service on it is refused; see decision/store/writer-lock.ts).
   * Give this or `dbFile`.
   */
  db?: DecisionDbConfig;
  /** SQLite file of the decision store: shorthand for `db: { client: 'sqlite', filename: dbFile }`. */
  dbFile?: string;
  /** TCP port; 0 picks a free one (tests). Default 8080. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1: exposing the API is an explicit choice. */
  host?: string;
  /** Active-model poll interval in ms. Default 1000. */
  refreshMs?: number;
  /** If given and absent, an admin API key is created and written there (mode 0600). */
  keyFile?: string;
  /**
   * SQLite only. `full` (default): every commit is fsynced, so an answered decision survives a power loss.
   * Refused with PostgreSQL, whose durability is the server's `synchronous_commit`.
   */
  durability?: 'full' | 'normal';
  /**
   * The institution's PII keyring (created if absent, mode 0600). On SQLite the default is
   * `<db file>.pii-keyring.json`; on PostgreSQL there is no file to put it next to, so it is required.
   */
  piiKeyringFile?: string;
  /**
   * HMAC secret for async callbacks (created if absent, mode 0600). On SQLite the default is
   * `<db file>.callback-secret`; required on PostgreSQL.
   */
  callbackSecretFile?: string;
  /** Annual rate cap, at most 0.36 (the default). */
  aprCap?: number;
  /** Deploy the shipped bootstrap model when no model is registered. */
  bootstrap?: boolean;
  /** Purge PII of closed applications older than this many days, hourly (off when absent). */
  retentionDays?: number;
  logger?: Logger;
}

/** A running decision service. */
export interface DecisionServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** True when this start created the admin key in `keyFile`. */
  adminKeyCreated: boolean;
  /** The running service (tests and the demo reach the handlers and stores through it). */
  service: DecisionService;
  /** Stops polling, closes the listener and open connections, then the store. */
  close(): Promise<void>;
}

/**
 * Bootstraps the first admin key without it ever passing through a terminal or a log: the file is claimed with an
 * exclusive create (so two starts cannot both write one), the key is created, written, and only then is the file
 * closed. An existing file is left alone (a warning if others can read it).
 */
export async function ensureAdminKeyFile(path: string, apiKeys: ApiKeyStore, log: Logger): Promise<boolean> {
  try {
    const st = await stat(path);
    if ((st.mode & 0o077) !== 0) log.warn('API key file is readable by group or others', { file: path });
    return false;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const handle = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  let keyId: string | null = null;
  try {
    await handle.chmod(0o600);
    const created = await apiKeys.create('admin', 'bootstrap (key file)');
    keyId = created.id;
    await handle.writeFile(created.key + '\n', 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    if (keyId !== null) await apiKeys.revoke(keyId).catch(() => undefined);
    throw err;
  }
  await handle.close();
  log.info('admin API key created', { file: path, keyId });
  return true;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts the decision service: migrate, seed rules and policy, optionally deploy the bootstrap model, bootstrap the
 * key file, load the in-memory indexes, listen. A service without a model still starts (503 until one is deployed).
 */
export async function startDecisionServer(config: DecisionServerConfig): Promise<DecisionServer> {
  const log = config.logger ?? silentLogger;
  const host = config.host ?? '127.0.0.1';
  const port = config.port ?? 8080;
  const db = resolveDecisionDb(config);
  const sideFile = (given: string | undefined, suffix: string, field: string): string => {
    if (given !== undefined) return given;
    if (db.client === 'sqlite') return `${db.filename}${suffix}`;
    throw new FedriskError('INVALID_ARGUMENT', `${field} is required with a PostgreSQL database (there is no database file to keep it next to)`, { field });
  };
  const service = await openDecisionService({
    db,
    piiKeyringFile: sideFile(config.piiKeyringFile, '.pii-keyring.json', 'piiKeyringFile'),
    callbackSecretFile: sideFile(config.callbackSecretFile, '.callback-secret', 'callbackSecretFile'),
    refreshMs: config.refreshMs ?? DEFAULT_REFRESH_MS,
    aprCap: config.aprCap,
    bootstrap: config.bootstrap ?? false,
    log,
  });
  try {
    const adminKeyCreated = config.keyFile ? await ensureAdminKeyFile(config.keyFile, service.apiKeyStore, log) : false;
    if (!service.models.current()) log.warn('no active model: POST /v1/applications answers 503 until one is deployed');
    const server = createServer(createDecisionHttpHandler(service));
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    server.keepAliveTimeout = 65_000;
    const address = await listen(server, port, host).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new FedriskError('UNAVAILABLE', `cannot listen on ${host}:${port} (${code})`, {}, { cause: err });
    });
    let purge: NodeJS.Timeout | null = null;
    if (config.retentionDays !== undefined) {
      const days = config.retentionDays;
      const run = (): void => {
        import('./service/admin-handlers.js')
          .then(({ adminHandlers }) => adminHandlers(service).purgeRetention(days))
          .then((r) => r.purged > 0 && log.info('retention purge', { purged: r.purged }))
          .catch((err: unknown) => log.error('retention purge failed', { error: err instanceof Error ? err.message : String(err) }));
      };
      run();
      purge = setInterval(run, 3_600_000);
      purge.unref();
    }
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${shownHost}:${address.port}`;
    let closing: Promise<void> | null = null;
    return {
      url,
      adminKeyCreated,
      service,
      close() {
        closing ??= (async () => {
          if (purge) clearInterval(purge);
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
          await service.close();
          log.info('decision service stopped', { url });
        })();
        return closing;
      },
    };
  } catch (err) {
    await service.close();
    throw err;
  }
}
