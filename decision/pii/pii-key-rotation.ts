/**
 * PII key rotation without downtime, as one call for the CLI: add a key and make it active (new applications use
 * it from the next request on), re-encrypt existing rows in place in small transactions while requests continue,
 * then retire every older key that no row uses any more. Safe to run again after an interruption: a second run
 * with `rotate: false` finishes the re-encryption and the retirements.
 *
 * With several service processes on one database (PostgreSQL scale-out), each must reload the keyring (PiiVault
 * .reload) after the rotation; a straggler still writing under the old key leaves rows that the old key (present,
 * even when retired) still opens and that the next run moves.
 */
import { loadKeyring, retireKey, rotateKeyring } from './pii-keyring.js';
import type { ApplicantStore } from './applicant-store.js';
import type { PiiVault } from './pii-vault.js';

export interface RotatePiiKeyOptions {
  keyringPath: string;
  /** The running service's vault: reloaded in place, so live requests switch keys without a restart. */
  vault: PiiVault;
  store: ApplicantStore;
  /** false: do not add a key, only re-encrypt what is left under older keys and retire them. Default true. */
  rotate?: boolean;
  /** Rows per transaction (default 200): small batches keep the writer's lock short on SQLite. */
  batchSize?: number;
  now?: Date;
}

export interface RotatePiiKeyResult {
  activeKeyId: string;
  reencrypted: number;
  /** Keys retired by this run. */
  retired: string[];
  /** Keys that still hold rows (a concurrent writer raced the last batch): run again. */
  stillInUse: Record<string, number>;
}

/** Rotates (unless `rotate: false`), re-encrypts everything under older keys, retires the keys left unused. */
export async function rotatePiiKey(options: RotatePiiKeyOptions): Promise<RotatePiiKeyResult> {
  const { keyringPath, vault, store } = options;
  const batch = options.batchSize ?? 200;
  const now = options.now ?? new Date();
  let keyring = options.rotate === false ? loadKeyring(keyringPath) : rotateKeyring(keyringPath, now);
  vault.reload(keyring);
  let reencrypted = 0;
  for (const k of keyring.keys) {
    if (k.id === keyring.activeKeyId) continue;
    for (;;) {
      const n = await store.reencryptBatch(vault, k.id, batch);
      reencrypted += n;
      if (n === 0) break;
    }
  }
  const counts = await store.countByKeyId();
  const retired: string[] = [];
  const stillInUse: Record<string, number> = {};
  for (const k of keyring.keys) {
    if (k.id === keyring.activeKeyId) continue;
    const rows = counts[k.id] ?? 0;
    if (rows > 0) {
      stillInUse[k.id] = rows;
    } else if (k.retiredAt === null) {
      keyring = retireKey(keyringPath, k.id, { rowsUsingKey: 0, now });
      retired.push(k.id);
    }
  }
  vault.reload(keyring);
  return { activeKeyId: keyring.activeKeyId, reencrypted, retired, stillInUse };
}
