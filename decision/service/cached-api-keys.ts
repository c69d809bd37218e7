/**
 * API key verification without a query per request: verified keys are remembered (by their sha256, never the key)
 * for a few seconds. A revocation through this service takes effect at once; one made by another process (the CLI)
 * within `ttlMs`.
 */
import { hash } from 'node:crypto';
import type { ApiKeyRole, ApiKeyStore } from '../store/api-key-store.js';

interface Entry {
  value: { id: string; role: ApiKeyRole } | null;
  until: number;
}

export class CachedApiKeys {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly store: Pick<ApiKeyStore, 'verify' | 'revoke'>,
    private readonly ttlMs = 5000,
  ) {}

  async verify(key: string): Promise<{ id: string; role: ApiKeyRole } | null> {
    const h = hash('sha256', key, 'base64');
    const now = Date.now();
    const hit = this.cache.get(h);
    if (hit && hit.until > now) return hit.value;
    const value = await this.store.verify(key);
    if (this.cache.size > 10_000) this.cache.clear();
    // Unknown keys are remembered briefly too, so a flood of bad keys cannot turn into a flood of queries.
    this.cache.set(h, { value, until: now + (value ? this.ttlMs : 1000) });
    return value;
  }

  async revoke(id: string): Promise<void> {
    await this.store.revoke(id);
    this.cache.clear();
  }
}
