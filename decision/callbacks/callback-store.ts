import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { FedriskError, invalid } from '../../common/errors.js';

/** The table this folder owns. */
export const CALLBACK_DELIVERIES_TABLE = 'callback_deliveries';

export const CALLBACK_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];

/** The JSON body of a callback: the decision answer for one application (never PII). */
export type CallbackPayload = { applicationId: string } & Record<string, unknown>;

/** One row of `callback_deliveries`, as stored. */
export interface CallbackDeliveryRow {
  delivery_id: string;
  application_id: string;
  url: string;
  payload_json: string;
  status: CallbackStatus;
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

/** A delivery as the dispatcher sees it. `body` is the exact JSON text that is signed and sent. */
export interface CallbackDelivery {
  deliveryId: string;
  applicationId: string;
  url: string;
  body: string;
  status: CallbackStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Builds a pending delivery row. The async pipeline may write it with {@link writeCallbackDeliveries} in the same
 * transaction as the decision and hand it to `CallbackDispatcher.dispatch` after commit: a crash in between then
 * leaves a pending row that `resumePending` delivers, instead of a decision whose callback is lost.
 * The URL must already be validated (`validateCallbackUrl`).
 */
export function callbackDeliveryRow(url: string, payload: CallbackPayload, now: Date, deliveryId: string = randomUUID()): CallbackDeliveryRow {
  if (typeof payload.applicationId !== 'string' || payload.applicationId.length === 0 || payload.applicationId.length > 64) {
    throw invalid('applicationId', 'must be a string of 1..64 characters');
  }
  const at = now.toISOString();
  return {
    delivery_id: deliveryId,
    application_id: payload.applicationId,
    url,
    payload_json: JSON.stringify(payload),
    status: 'pending',
    attempts: 0,
    last_error: null,
    created_at: at,
    updated_at: at,
  };
}

/** Inserts delivery rows inside the caller's transaction. */
export async function writeCallbackDeliveries(trx: Knex | Knex.Transaction, rows: readonly CallbackDeliveryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 50) {
    await trx<CallbackDeliveryRow>(CALLBACK_DELIVERIES_TABLE).insert(rows.slice(i, i + 50) as CallbackDeliveryRow[]);
  }
}

/** Row -> delivery; refuses rows the code does not understand. */
export function callbackDeliveryFromRow(r: CallbackDeliveryRow): CallbackDelivery {
  if (!(CALLBACK_STATUSES as readonly string[]).includes(r.status)) {
    throw new FedriskError('INTERNAL', `callback delivery ${r.delivery_id} has an unknown status in the store`);
  }
  return {
    deliveryId: r.delivery_id,
    applicationId: r.application_id,
    url: r.url,
    body: r.payload_json,
    status: r.status,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The state after one attempt. */
export interface CallbackAttemptUpdate {
  status: CallbackStatus;
  attempts: number;
  lastError: string | null;
  now: Date;
}

/** Durable outbox of callbacks, so pending deliveries survive a restart. */
export interface CallbackStore {
  insert(row: CallbackDeliveryRow): Promise<void>;
  get(deliveryId: string): Promise<CallbackDelivery | null>;
  /** Records an attempt's result (attempt count, last error, final status). */
  update(deliveryId: string, update: CallbackAttemptUpdate): Promise<void>;
  /** Pending deliveries, oldest first. */
  listPending(limit?: number): Promise<CallbackDelivery[]>;
  /** Deliveries of one application, oldest first (support: "did the lender get its callback?"). */
  listForApplication(applicationId: string): Promise<CallbackDelivery[]>;
}

/** The knex implementation of {@link CallbackStore}. */
export function createCallbackStore(knex: Knex): CallbackStore {
  const table = () => knex<CallbackDeliveryRow>(CALLBACK_DELIVERIES_TABLE);
  return {
    async insert(row) {
      await table().insert(row);
    },

    async get(deliveryId) {
      const row = await table().where({ delivery_id: deliveryId }).first();
      return row ? callbackDeliveryFromRow(row) : null;
    },

    async update(deliveryId, u) {
      await table()
        .where({ delivery_id: deliveryId })
        .update({
          status: u.status,
          attempts: u.attempts,
          // Bounded like the column; errors are short descriptions (HTTP status, error code), never bodies.
          last_error: u.lastError === null ? null : u.lastError.slice(0, 500),
          updated_at: u.now.toISOString(),
        });
    },

    async listPending(limit = 10_000) {
      const rows = (await table()
        .where({ status: 'pending' })
        .orderBy([
          { column: 'created_at', order: 'asc' },
          { column: 'delivery_id', order: 'asc' },
        ])
        .limit(limit)) as CallbackDeliveryRow[];
      return rows.map(callbackDeliveryFromRow);
    },

    async listForApplication(applicationId) {
      const rows = (await table().where({ application_id: applicationId }).orderBy('created_at', 'asc')) as CallbackDeliveryRow[];
      return rows.map(callbackDeliveryFromRow);
    },
  };
}
