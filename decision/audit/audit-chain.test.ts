import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { migrate, openKnex } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';
import { canonicalDigest } from '../canonical-json.js';
import { nthIdNumber, validBankCard } from '../pii/valid-id-number.js';
import { AuditChain, GENESIS_HASH, auditHash, writeAuditRows, type AuditRecord, type AuditRow } from './audit-chain.js';
import { AUDIT_MIGRATIONS } from './audit-migrations.js';
import { verifyAuditLog } from './verify-audit-log.js';

function decisionRecord(i: number): AuditRecord {
  return {
    applicationId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    inputDigest: canonicalDigest({ i }),
    idToken: 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg',
    flags: i % 7 === 0 ? ['high_frequency'] : [],
    ruleHits: i % 7 === 0 ? [{ ruleId: 'velocity-1h', flag: 'high_frequency', action: 'flag', reasonCode: 'R_VEL_1H' }] : [],
    modelVersion: 'fed-2026-11-22',
    rulesVersion: 3,
    outcome: i % 5 === 0 ? 'review' : 'approve',
    score: 600 + (i % 50),
    amount: 5000,
  };
}

async function rowAt(knex: Knex, seq: number): Promise<AuditRow> {
  const row = await knex<AuditRow>('audit_log').where({ seq }).first();
  assert.ok(row, `entry ${seq} is stored`);
  return row;
}

const at = (i: number) => new Date(Date.UTC(2026, 10, 22, 0, 0, 0, i)).toISOString();

async function append(knex: Knex, chain: AuditChain, from: number, count: number): Promise<void> {
  await knex.transaction(async (trx) => {
    const rows = [];
    for (let i = from; i < from + count; i++) rows.push(chain.next('decision', decisionRecord(i), at(i)));
    await writeAuditRows(trx, rows);
  });
}

describe('audit chain (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedrisk-audit-'));
  const file = join(dir, 'audit.sqlite');
  let knex: Knex;
  let chain: AuditChain;

  before(async () => {
    knex = openKnex({ client: 'sqlite', filename: file });
    assert.deepEqual(await migrate(knex, AUDIT_MIGRATIONS, 'test_migrations'), ['20261122001010_audit_log']);
  });
  after(async () => {
    await knex.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await knex('audit_log').del();
    chain = await AuditChain.load(knex);
  });

  it('starts at genesis and verifies an empty log', async () => {
    assert.deepEqual(chain.head, { seq: 0, hash: GENESIS_HASH });
    assert.deepEqual(await verifyAuditLog(knex), { ok: true, entries: 0, firstBroken: null, head: GENESIS_HASH, headSeq: 0 });
  });

  it('appends 1000 entries that verify, in any batch size', async () => {
    await append(knex, chain, 1, 1000);
    const first = await rowAt(knex, 1);
    assert.equal(first.prev_hash, GENESIS_HASH);
    assert.equal(first.hash, auditHash(GENESIS_HASH, first.record_json));
    assert.equal(JSON.parse(first.record_json).record.outcome, 'approve');
    for (const batch of [1, 7, 1000, 5000]) {
      const r = await verifyAuditLog(knex, { batch });
      assert.deepEqual(r, { ok: true, entries: 1000, firstBroken: null, head: chain.head.hash, headSeq: 1000 }, `batch ${batch}`);
    }
    assert.deepEqual((await verifyAuditLog(knex, { expectedHead: chain.head })).ok, true);
  });

  it('names an entry whose record_json was edited with raw SQL', async () => {
    await append(knex, chain, 1, 1000);
    const row = await rowAt(knex, 437);
    const edited = row.record_json.replace('"outcome":"approve"', '"outcome":"reject"');
    assert.notEqual(edited, row.record_json);
    await knex.raw('update audit_log set record_json = ? where seq = ?', [edited, 437]);
    const r = await verifyAuditLog(knex, { batch: 100 });
    assert.equal(r.ok, false);
    assert.equal(r.firstBroken?.seq, 437);
    assert.match(r.firstBroken!.reason, /hash does not match the record/);
    assert.equal(r.entries, 436);
    assert.equal(r.headSeq, 436);
  });

  it('names an edited hash, an edited column and a deleted entry (the gap)', async () => {
    await append(knex, chain, 1, 300);
    await knex.raw('update audit_log set hash = ? where seq = ?', ['f'.repeat(64), 120]);
    assert.deepEqual((await verifyAuditLog(knex)).firstBroken?.seq, 120);
    // Recomputing the hash of the edited entry only moves the break to the next link.
    const r120 = await rowAt(knex, 120);
    await knex.raw('update audit_log set hash = ? where seq = ?', [auditHash(r120.prev_hash, r120.record_json), 120]);
    assert.equal((await verifyAuditLog(knex)).ok, true);
    await knex.raw("update audit_log set kind = 'review' where seq = ?", [150]);
    const col = await verifyAuditLog(knex);
    assert.equal(col.firstBroken?.seq, 150);
    assert.match(col.firstBroken!.reason, /column/);
    await knex.raw("update audit_log set kind = 'decision' where seq = ?", [150]);
    await knex.raw('delete from audit_log where seq = ?', [201]);
    const gap = await verifyAuditLog(knex, { batch: 64 });
    assert.equal(gap.firstBroken?.seq, 201);
    assert.match(gap.firstBroken!.reason, /entry 201 is missing \(deleted\): the next stored entry is 202/);
    assert.equal(gap.entries, 200);
    await knex.raw('delete from audit_log where seq between ? and ?', [250, 260]);
    await knex.raw('delete from audit_log where seq between ? and ?', [190, 210]);
    assert.match((await verifyAuditLog(knex)).firstBroken!.reason, /entries 190..210 are missing/);
  });

  it('names reordered entries and a truncated tail against a known head', async () => {
    await append(knex, chain, 1, 50);
    await knex.transaction(async (trx) => {
      await trx<AuditRow>('audit_log').where({ seq: 20 }).update({ seq: -1 });
      await trx<AuditRow>('audit_log').where({ seq: 21 }).update({ seq: 20 });
      await trx<AuditRow>('audit_log').where({ seq: -1 }).update({ seq: 21 });
    });
    const r = await verifyAuditLog(knex);
    assert.equal(r.firstBroken?.seq, 20);
    assert.match(r.firstBroken!.reason, /prev_hash/);
    // Swapping the contents but not the seq column is caught as well.
    await knex('audit_log').del();
    chain = await AuditChain.load(knex);
    await append(knex, chain, 1, 50);
    const x = await rowAt(knex, 30);
    const y = await rowAt(knex, 31);
    await knex<AuditRow>('audit_log').where({ seq: 30 }).update({ record_json: y.record_json, prev_hash: y.prev_hash, hash: y.hash });
    await knex<AuditRow>('audit_log').where({ seq: 31 }).update({ record_json: x.record_json, prev_hash: x.prev_hash, hash: x.hash });
    assert.equal((await verifyAuditLog(knex)).firstBroken?.seq, 30);

    await knex('audit_log').del();
    chain = await AuditChain.load(knex);
    await append(knex, chain, 1, 50);
    const head = chain.head;
    await knex<AuditRow>('audit_log').where('seq', '>', 45).del();
    assert.equal((await verifyAuditLog(knex)).ok, true, 'a shorter chain is still a chain');
    const t = await verifyAuditLog(knex, { expectedHead: head });
    assert.equal(t.ok, false);
    assert.equal(t.firstBroken?.seq, 46);
    assert.match(t.firstBroken!.reason, /removed from the end/);
  });

  it('resumes the chain across a reopen', async () => {
    await append(knex, chain, 1, 10);
    const head = chain.head;
    await knex.destroy();
    knex = openKnex({ client: 'sqlite', filename: file });
    const resumed = await AuditChain.load(knex);
    assert.deepEqual(resumed.head, head);
    await append(knex, resumed, 11, 10);
    const r = await verifyAuditLog(knex, { expectedHead: head });
    assert.equal(r.ok, true);
    assert.equal(r.entries, 20);
    chain = resumed;
  });

  it('rolls the head back after a failed transaction, so the next entry reuses the seq', async () => {
    await append(knex, chain, 1, 5);
    const mark = chain.head;
    await assert.rejects(
      knex.transaction(async (trx) => {
        await writeAuditRows(trx, [chain.next('review', { applicationId: 'a', outcome: 'approve' }, at(6))]);
        throw new Error('the decision insert failed');
      }),
    );
    assert.equal(chain.head.seq, 6);
    chain.rollback(mark);
    assert.deepEqual(chain.head, mark);
    assert.throws(() => chain.rollback({ seq: 99, hash: GENESIS_HASH }), FedriskError);
    await append(knex, chain, 6, 1);
    assert.deepEqual(await verifyAuditLog(knex), { ok: true, entries: 6, firstBroken: null, head: chain.head.hash, headSeq: 6 });
  });

  it('refuses records that look like PII, or are not JSON data, without advancing', () => {
    const head = chain.head;
    const pii = (pattern: RegExp) => (e: unknown) => e instanceof FedriskError && e.code === 'INTERNAL' && pattern.test(e.message);
    assert.throws(() => chain.next('decision', { applicant: { idNumber: nthIdNumber(5) } }, at(1)), pii(/record\.applicant\.idNumber looks like an ID number/));
    assert.throws(() => chain.next('decision', { note: 'call 13912345678 back' }, at(1)), pii(/mobile/));
    assert.throws(() => chain.next('decision', { phones: ['+8613912345678'] }, at(1)), pii(/record\.phones\[0\]/));
    assert.throws(() => chain.next('decision', { phone: 13912345678 }, at(1)), pii(/mobile/));
    assert.throws(() => chain.next('decision', { card: validBankCard(99) }, at(1)), pii(/bank card/));
    assert.throws(() => chain.next('decision', { f: () => 1 } as AuditRecord, at(1)), pii(/not JSON data/));
    assert.throws(() => chain.next('nope' as 'decision', {}, at(1)), FedriskError);
    assert.deepEqual(chain.head, head);
    // Digests, tokens, UUIDs, times and ordinary numbers pass, whatever digit runs they contain.
    for (let i = 0; i < 2000; i++) chain.next('decision', { d: canonicalDigest({ i }), r: decisionRecord(i), t: at(i), ms: Date.now() }, at(i));
    chain.rollback(head);
  });

  it('verifies fast (constant memory, batched)', async () => {
    const n = 50000;
    let t0 = performance.now();
    for (let from = 1; from <= n; from += 5000) await append(knex, chain, from, 5000);
    const appendS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const r = await verifyAuditLog(knex);
    const verifyS = (performance.now() - t0) / 1000;
    assert.equal(r.ok, true);
    assert.equal(r.entries, n);
    console.log(`audit: appended ${n} entries at ${Math.round(n / appendS)}/s (next + insert), verified at ${Math.round(n / verifyS)} entries/s`);
    assert.ok(n / verifyS > 5000, `verify ${Math.round(n / verifyS)} entries/s`);
  });
});
