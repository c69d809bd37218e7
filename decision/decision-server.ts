import { constants as fsConstants } from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FedriskError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/log.js';
import { createDecisionApp } from './http/create-decision-app.js';
import { ActiveModelCache, DEFAULT_REFRESH_MS } from './scoring/active-model-cache.js';
import { resolveScoringPolicy, type ScoringPolicy } from './scoring/score-card.js';
import { createApiKeyStore, type ApiKeyStore } from './store/api-key-store.js';
import { createApplicationStore } from './store/application-store.js';
import { createDecisionDb, migrateDecisionDb, type DecisionDbOptions } from './store/decision-db.js';
import { createModelStore } from './store/model-store.js';

/** Everything a decision service process needs, read once at the edge (CLI flags, or a test). */
export interface DecisionServerConfig {
  /** SQLite file of the decision store (created and migrated if needed). */
  dbFile: string;
  /** TCP port; 0 picks a free one (tests). Default 8080. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1: exposing the API is an explicit choice. */
  host?: string;
  /** Active-model poll interval in ms. Default 1000. */
  refreshMs?: number;
  /** If given and absent, an admin API key is created and written there (mode 0600). */
  keyFile?: string;
  /** SQLite commit durability (see {@link DecisionDbOptions.durability}). Default `full`. */
  durability?: 'full' | 'normal';
  policy?: ScoringPolicy;
  logger?: Logger;
}

/** A running decision service. */
export interface DecisionServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** True when this start created the admin key in `keyFile`. */
  adminKeyCreated: boolean;
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
 * Starts the decision service: migrate, bootstrap the key file, load the active model (a service without one still
 * starts, answering 503 until the node deploys), start polling, listen.
 */
export async function startDecisionServer(config: DecisionServerConfig): Promise<DecisionServer> {
  const log = config.logger ?? silentLogger;
  const host = config.host ?? '127.0.0.1';
  const port = config.port ?? 8080;
  const policy = config.policy ?? resolveScoringPolicy();
  const knex = createDecisionDb({ filename: config.dbFile, durability: config.durability ?? 'full' });
  let cache: ActiveModelCache | null = null;
  try {
    await migrateDecisionDb(knex);
    const apiKeys = createApiKeyStore(knex);
    const adminKeyCreated = config.keyFile ? await ensureAdminKeyFile(config.keyFile, apiKeys, log) : false;
    cache = new ActiveModelCache({
      store: createModelStore(knex),
      refreshMs: config.refreshMs ?? DEFAULT_REFRESH_MS,
      logger: log,
    });
    await cache.refresh().catch((err: unknown) => log.error('could not load the active model', { err }));
    if (!cache.current()) log.warn('no active model: POST /v1/applications answers 503 until one is deployed');
    cache.start();
    const app = createDecisionApp({
      models: cache,
      applications: createApplicationStore(knex),
      apiKeys,
      policy,
      logger: log,
    });
    const server = createServer(app);
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    const address = await listen(server, port, host).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new FedriskError('UNAVAILABLE', `cannot listen on ${host}:${port} (${code})`, {}, { cause: err });
    });
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${shownHost}:${address.port}`;
    const running = cache;
    let closing: Promise<void> | null = null;
    return {
      url,
      adminKeyCreated,
      close() {
        closing ??= (async () => {
          await running.stop();
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
          await knex.destroy();
          log.info('decision service stopped', { url });
        })();
        return closing;
      },
    };
  } catch (err) {
    await cache?.stop();
    await knex.destroy();
    throw err;
  }
}
