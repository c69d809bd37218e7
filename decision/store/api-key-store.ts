import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';

export const API_KEY_ROLES = ['app', 'reviewer', 'admin'] as const;
/** `app`: the lender's apps submit applications; `reviewer`: works the review queue; `admin`: everything. */
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** Every key starts with this, so a leaked key is recognisable by secret scanners. */
export const API_KEY_PREFIX = 'frk_';
/** `frk_` + 32 random bytes in base64url (43 characters). */
const KEY_PATTERN = /^frk_[A-Za-z0-9_-]{43}$/;

/** One row of `api_keys`, as stored. */
export interface ApiKeyRow {
  id: string;
  key_hash: string;
  role: string;
  label: string;
  created_at: string;
  revoked_at: string | null;
}

/** What is shown about a key after creation: never the key itself. */
export interface ApiKeySummary {
  id: string;
  role: ApiKeyRole;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

/**
 * API keys of the decision service. The key is shown once at creation and only its SHA-256 is stored: the keys are
 * 256-bit random, so an unsalted fast hash is enough (nothing to brute-force), and a stolen store yields no key.
 */
export interface ApiKeyStore {
  create(role: ApiKeyRole, label?: string): Promise<{ id: string; key: string }>;
  /** The key's id and role, or null if unknown, malformed or revoked. */
  verify(key: string): Promise<{ id: string; role: ApiKeyRole } | null>;
  /** Revokes a key (idempotent); NOT_FOUND for an unknown id. */
  revoke(id: string): Promise<void>;
  list(): Promise<ApiKeySummary[]>;
}

export function isApiKeyRole(v: unknown): v is ApiKeyRole {
  return typeof v === 'string' && (API_KEY_ROLES as readonly string[]).includes(v);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TABLE = 'api_keys';

/** The knex implementation of {@link ApiKeyStore}. */
export function createApiKeyStore(knex: Knex, now: () => Date = () => new Date()): ApiKeyStore {
  return {
    async create(role, label = '') {
      if (!isApiKeyRole(role)) {
        throw new FedriskError('INVALID_ARGUMENT', `role must be one of ${API_KEY_ROLES.join(', ')}`, { field: 'role' });
      }
      // Control characters: junk in a label, and PostgreSQL cannot store NUL in text at all.
      if (typeof label !== 'string' || label.length > 200 || /[\u0000-\u001f\u007f]/.test(label)) {
        throw new FedriskError('INVALID_ARGUMENT', 'label must be at most 200 characters, without control characters', { field: 'label' });
      }
      const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
      const row: ApiKeyRow = {
        id: randomUUID(),
        key_hash: sha256(key).toString('hex'),
        role,
        label,
        created_at: now().toISOString(),
        revoked_at: null,
      };
      await knex<ApiKeyRow>(TABLE).insert(row);
      return { id: row.id, key };
    },

    async verify(key) {
      if (typeof key !== 'string' || !KEY_PATTERN.test(key)) return null;
      const presented = sha256(key);
      const row = await knex<ApiKeyRow>(TABLE)
        .select('id', 'key_hash', 'role', 'revoked_at')
        .where({ key_hash: presented.toString('hex') })
        .first();
      if (!row) return null;
      const stored = Buffer.from(row.key_hash, 'hex');
      // The lookup already matched on the hash; the constant-time compare keeps the final check free of early exits.
      if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return null;
      if (row.revoked_at !== null || !isApiKeyRole(row.role)) return null;
      return { id: row.id, role: row.role };
    },

    async revoke(id) {
      if (typeof id !== 'string' || !UUID.test(id)) {
        throw new FedriskError('INVALID_ARGUMENT', 'id must be a key id (uuid)', { field: 'id' });
      }
      const row = await knex<ApiKeyRow>(TABLE).select('id', 'revoked_at').where({ id }).first();
      if (!row) throw new FedriskError('NOT_FOUND', `no API key with id ${id}`, { field: 'id' });
      if (row.revoked_at !== null) return;
      await knex<ApiKeyRow>(TABLE).where({ id }).update({ revoked_at: now().toISOString() });
    },

    async list() {
      const rows = await knex<ApiKeyRow>(TABLE)
        .select('id', 'role', 'label', 'created_at', 'revoked_at')
        .orderBy('created_at', 'asc');
      return rows.map((r) => {
        if (!isApiKeyRole(r.role)) throw new FedriskError('INTERNAL', `API key ${r.id} has an unknown role in the store`);
        return { id: r.id, role: r.role, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at };
      });
    },
  };
}
