/**
 * The node's store: secrets (member credentials, the seal private key, each epoch's HE key bundle) are kept only as
 * AES-256-GCM boxes under the node's own key file, and every global model version the consortium produced is kept
 * with the hold-out metrics this node measured for it.
 */
import type { Knex } from 'knex';
import { migrate, openKnex, type DbConfig, type MigrationList } from '../../common/db/index.js';
import { decryptAtRest, encryptAtRest } from '../../common/crypto/index.js';
import type { LogisticModel } from '../../common/model/logistic-model.js';
import * as m0 from './migrations/20261122000200_node.js';

/** The node store's dated migrations, in order (append new ones; never edit an applied one). */
export const NODE_MIGRATIONS: MigrationList = { '20261122000200_node': m0 };
export const NODE_MIGRATIONS_TABLE = 'node_migrations';

interface SecretDb {
  name: string;
  box: Buffer;
  created_at: string;
}
interface ModelDb {
  version: string;
  job_id: string;
  round: number;
  body: string;
  metrics_json: string;
  created_at: string;
}

export interface ModelVersionRow {
  version: string;
  jobId: string;
  round: number;
  model: LogisticModel;
  metrics: Record<string, number | null>;
  createdAt: string;
}

export class NodeStore {
  private constructor(private readonly db: Knex, private readonly nodeKey: Uint8Array) {}

  static async open(config: DbConfig, nodeKey: Uint8Array): Promise<NodeStore> {
    const db = openKnex(config);
    await migrate(db, NODE_MIGRATIONS, NODE_MIGRATIONS_TABLE);
    return new NodeStore(db, nodeKey);
  }

  async putSecret(name: string, value: Uint8Array): Promise<void> {
    const box = encryptAtRest(this.nodeKey, value, `fedrisk/node-secret/${name}`);
    await this.db<SecretDb>('secrets')
      .insert({ name, box: Buffer.from(box), created_at: new Date().toISOString() })
      .onConflict('name')
      .merge();
  }

  async getSecret(name: string): Promise<Uint8Array | null> {
    const row = await this.db<SecretDb>('secrets').where({ name }).first();
    if (!row) return null;
    return decryptAtRest(this.nodeKey, new Uint8Array(row.box), `fedrisk/node-secret/${name}`);
  }

  async putModel(row: ModelVersionRow): Promise<void> {
    await this.db<ModelDb>('models')
      .insert({
        version: row.version,
        job_id: row.jobId,
        round: row.round,
        body: JSON.stringify(row.model),
        metrics_json: JSON.stringify(row.metrics),
        created_at: row.createdAt,
      })
      .onConflict('version')
      .merge();
  }

  async listModels(): Promise<ModelVersionRow[]> {
    const rows = await this.db<ModelDb>('models').select().orderBy([{ column: 'job_id' }, { column: 'round' }]);
    return rows.map((r) => ({
      version: r.version,
      jobId: r.job_id,
      round: r.round,
      model: JSON.parse(r.body) as LogisticModel,
      metrics: JSON.parse(r.metrics_json) as Record<string, number | null>,
      createdAt: r.created_at,
    }));
  }

  async latestModel(): Promise<ModelVersionRow | null> {
    const all = await this.listModels();
    return all.length > 0 ? all.reduce((a, b) => (b.createdAt > a.createdAt || (b.createdAt === a.createdAt && b.round > a.round) ? b : a)) : null;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
