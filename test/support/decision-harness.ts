/**
 * A real decision service for tests: SQLite in a temp folder, the shipped bootstrap model, real HTTP on loopback,
 * one API key per role, and every log line captured (so tests can search the logs for leaked PII).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../common/log.js';
import { startDecisionServer, type DecisionServer } from '../../decision/index.js';
import { syntheticApplications } from '../../simulations/bench/synthetic-applications.js';

export interface Harness {
  server: DecisionServer;
  url: string;
  dir: string;
  dbFile: string;
  keys: { admin: string; app: string; reviewer: string };
  logs: string[];
  call(method: string, path: string, opts?: { key?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  application(i?: number, patch?: (b: Record<string, unknown>) => void): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startHarness(options: { refreshMs?: number; retentionDays?: number } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'fedrisk-api-'));
  const dbFile = join(dir, 'decision.sqlite');
  const logs: string[] = [];
  const server = await startDecisionServer({
    dbFile,
    port: 0,
    bootstrap: true,
    keyFile: join(dir, 'admin.key'),
    refreshMs: options.refreshMs ?? 100,
    logger: createLogger({ level: 'debug', sink: (l) => void logs.push(l) }),
  });
  const admin = readFileSync(join(dir, 'admin.key'), 'utf8').trim();
  const app = (await server.service.apiKeyStore.create('app', 'tests')).key;
  const reviewer = (await server.service.apiKeyStore.create('reviewer', 'tests')).key;
  const pool = syntheticApplications(400, 99);
  const h: Harness = {
    server,
    url: server.url,
    dir,
    dbFile,
    keys: { admin, app, reviewer },
    logs,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      const key = opts.key === undefined ? app : opts.key;
      if (key !== null) headers['authorization'] = `Bearer ${key}`;
      let body: string | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${server.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        parsed = { text };
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    application(i = 0, patch) {
      const b = structuredClone(pool[i % pool.length]!);
      patch?.(b);
      return b;
    },
    close: () => server.close(),
  };
  return h;
}
