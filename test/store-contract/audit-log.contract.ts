import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import { AUDIT_TABLE, AuditChain, GENESIS_HASH, writeAuditRows, type AuditKind, type AuditRow } from '../../decision/audit/audit-chain.js';
import { verifyAuditLog } from '../../decision/audit/verify-audit-log.js';
import { DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE } from '../../decision/store/decision-db.js';
import type { StoreContract } from './contract.js';

const isCode = (code: string) => (e: unknown) => e instanceof FedriskError && e.code === code;

const KINDS: readonly AuditKind[] = ['decision', 'review', 'erasure', 'rules', 'policy', 'list'];

const at = (n: number): string => new Date(Date.parse('2026-11-22T00:00:00.000Z') + n * 1000).toISOString();

/** Appends `n` entries through the chain, `perTx` per transaction, as the group-commit writer does. */
async function append(knex: Knex, chain: AuditChain, n: number, perTx = 50): Promise<AuditRow[]> {
  const all: AuditRow[] = [];
  for (let done = 0; done < n; done += perTx) {
    const rows = Array.from({ length: Math.min(perTx, n - done) }, (_, i) => {
      const k = chain.head.seq + 1 + i;
      return { kind: KINDS[k % KINDS.length]!, record: { type: 'test', n: k, outcome: k % 2 ? 'approve' : 'reject', digest: 'ab'.repeat(32) }, at: at(k) };
    }).map((e) => chain.next(e.kind, e.record, e.at));
    await knex.transaction((trx) => writeAuditRows(trx, rows));
    all.push(...rows);
  }
  return all;
}

/** A fresh log of `n` entries. */
async function seeded(open: () => Promise<Knex>, n: number): Promise<{ knex: Knex; chain: AuditChain; rows: AuditRow[] }> {
  const knex = await open();
  const chain = await AuditChain.load(knex);
  const rows = await append(knex, chain, n);
  return { knex, chain, rows };
}

/**
 * The hash-chained decision log on every backend: what is appended verifies, tampering is named by seq, the head
 * survives a reload, and bigint seqs come back as numbers.
 */
export const auditLogContract: StoreContract = {
  name: 'decision/AuditLog',
  migrations: DECISION_MIGRATIONS,
  migrationsTable: DECISION_MIGRATIONS_TABLE,
  database: 'decision',
  suite(open) {
    let knex: Knex;
    let chain: AuditChain;
    before(async () => {
      knex = await open();
      chain = await AuditChain.load(knex);
    });

    it('an empty log loads at genesis and verifies', async () => {
      assert.deepEqual(chain.head, { seq: 0, hash: GENESIS_HASH });
      assert.deepEqual(await verifyAuditLog(knex), { ok: true, entries: 0, firstBroken: null, head: GENESIS_HASH, headSeq: 0 });
    });

    it('200 entries written in several transactions verify, whatever the page size', async () => {
      const rows = await append(knex, chain, 200);
      assert.deepEqual(
        rows.map((r) => r.seq),
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      const expected = { ok: true, entries: 200, firstBroken: null, head: chain.head.hash, headSeq: 200 };
      assert.deepEqual(await verifyAuditLog(knex), expected);
      assert.deepEqual(await verifyAuditLog(knex, { batch: 7 }), expected);
      assert.deepEqual(await verifyAuditLog(knex, { batch: 200, expectedHead: chain.head }), expected);
      const stored = (await knex(AUDIT_TABLE).select('*').orderBy('seq')) as (Omit<AuditRow, 'seq'> & { seq: number | string })[];
      assert.deepEqual(
        stored.map((r) => ({ ...r, seq: Number(r.seq) })),
        rows,
        'every column stored as made',
      );
    });

    it('a reload resumes the head, and the next entry links to it', async () => {
      const reloaded = await AuditChain.load(knex);
      assert.deepEqual(reloaded.head, chain.head);
      assert.equal(typeof reloaded.head.seq, 'number');
      const [next] = await append(knex, reloaded, 1);
      assert.equal(next!.seq, 201);
      assert.equal(next!.prev_hash, chain.head.hash);
      const v = await verifyAuditLog(knex, { expectedHead: reloaded.head });
      assert.deepEqual(v, { ok: true, entries: 201, firstBroken: null, head: reloaded.head.hash, headSeq: 201 });
      chain = reloaded;
    });

    it('rollback restores the head after a failed transaction; the next entry reuses the seq', async () => {
      const mark = chain.head;
      await assert.rejects(
        knex.transaction(async (trx) => {
          await writeAuditRows(trx, [chain.next('decision', { n: 1 }, at(1)), chain.next('decision', { n: 2 }, at(2))]);
          throw new Error('the batch failed');
        }),
        /the batch failed/,
      );
      assert.equal(chain.head.seq, mark.seq + 2);
      chain.rollback(mark);
      assert.deepEqual(chain.head, mark);
      assert.deepEqual(await AuditChain.load(knex).then((c) => c.head), mark, 'nothing of the failed transaction was stored');
      const [next] = await append(knex, chain, 1);
      assert.deepEqual([next!.seq, next!.prev_hash], [mark.seq + 1, mark.hash]);
      assert.throws(() => chain.rollback({ seq: chain.head.seq + 1, hash: GENESIS_HASH }), isCode('INTERNAL'));
      assert.equal((await verifyAuditLog(knex)).ok, true);
    });

    it('a second writer with a stale head cannot fork the chain (seq primary key)', async () => {
      const stale = await AuditChain.load(knex);
      await append(knex, chain, 1);
      await assert.rejects(knex.transaction((trx) => writeAuditRows(trx, [stale.next('decision', { fork: true }, at(9))])));
      assert.deepEqual(await verifyAuditLog(knex, { expectedHead: chain.head }), {
        ok: true,
        entries: chain.head.seq,
        firstBroken: null,
        head: chain.head.hash,
        headSeq: chain.head.seq,
      });
    });

    it('reads a seq beyond 32 bits back as a number', async () => {
      const db = await open();
      const big = 2 ** 40 + 7;
      const row: AuditRow = { seq: big, at: at(0), kind: 'decision', record_json: '{}', prev_hash: GENESIS_HASH, hash: 'f'.repeat(64) };
      await writeAuditRows(db, [row]);
      const head = (await AuditChain.load(db)).head;
      assert.deepEqual(head, { seq: big, hash: row.hash });
      assert.equal(typeof head.seq, 'number');
      const v = await verifyAuditLog(db);
      assert.deepEqual(v.firstBroken?.seq, 1, 'entries 1..big-1 are missing');
      assert.match(v.firstBroken?.reason ?? '', new RegExp(`entries 1\\.\\.${big - 1} are missing`));
    });

    it('names the seq of an entry whose record_json was edited', async () => {
      const { knex: db, rows } = await seeded(open, 200);
      const victim = rows[136]!;
      await db(AUDIT_TABLE).where({ seq: victim.seq }).update({ record_json: victim.record_json.replace(/"outcome":"\w+"/, '"outcome":"approve-edited"') });
      const v = await verifyAuditLog(db);
      assert.equal(v.ok, false);
      assert.equal(v.firstBroken?.seq, 137);
      assert.match(v.firstBroken?.reason ?? '', /record_json or hash edited/);
      assert.deepEqual([v.entries, v.headSeq, v.head], [136, 136, rows[135]!.hash]);
      assert.equal((await verifyAuditLog(db, { batch: 9 })).firstBroken?.seq, 137);
    });

    it('names the seq of an entry whose kind column was edited (the hash still matches)', async () => {
      const { knex: db, rows } = await seeded(open, 20);
      const victim = rows[11]!;
      await db(AUDIT_TABLE).where({ seq: victim.seq }).update({ kind: victim.kind === 'policy' ? 'rules' : 'policy' });
      const v = await verifyAuditLog(db);
      assert.deepEqual([v.ok, v.firstBroken?.seq], [false, 12]);
      assert.match(v.firstBroken?.reason ?? '', /column was edited/);
    });

    it('names the gap a deleted entry leaves, and a removed tail against the expected head', async () => {
      const { knex: db, chain: c } = await seeded(open, 200);
      await db(AUDIT_TABLE).where({ seq: 50 }).delete();
      const one = await verifyAuditLog(db, { batch: 16 });
      assert.deepEqual([one.ok, one.firstBroken?.seq, one.entries, one.headSeq], [false, 50, 49, 49]);
      assert.match(one.firstBroken?.reason ?? '', /entry 50 is missing/);

      const { knex: db2, chain: c2 } = await seeded(open, 200);
      await db2(AUDIT_TABLE).whereBetween('seq', [120, 122]).delete();
      assert.match((await verifyAuditLog(db2)).firstBroken?.reason ?? '', /entries 120\.\.122 are missing/);
      await db2(AUDIT_TABLE).where('seq', '>=', 120).delete();
      assert.equal((await verifyAuditLog(db2)).ok, true, 'a shorter chain is still a chain');
      const tail = await verifyAuditLog(db2, { expectedHead: c2.head });
      assert.deepEqual([tail.ok, tail.firstBroken?.seq, tail.entries], [false, 120, 119]);
      assert.match(tail.firstBroken?.reason ?? '', /removed from the end/);
      assert.equal(c.head.seq, 200);
    });
  },
};
