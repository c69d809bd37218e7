import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs';
import { TurnScheduler } from './turn-scheduler.js';

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

test('at most perTurn callers start per event-loop turn, in arrival order', async () => {
  const s = new TurnScheduler(4);
  const started: number[] = [];
  const all = Array.from({ length: 10 }, (_, i) => s.turn().then(() => started.push(i)));
  assert.equal(s.queued, 10);
  await nextTurn();
  assert.deepEqual(started, [0, 1, 2, 3]);
  await nextTurn();
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7]);
  await Promise.all(all);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(s.queued, 0);
});

test('I/O completions get the loop between turns', async () => {
  const s = new TurnScheduler(2);
  const order: string[] = [];
  const busy = (ms: number): void => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  // A real I/O completion (the thread pool, like SQLite's commit callback), started by the first decision: it is
  // done while the first turn is still busy, and must be handled before the second turn starts.
  let io: Promise<void> = Promise.resolve();
  const work = Array.from({ length: 8 }, (_, i) =>
    s.turn().then(() => {
      if (i === 0) io = new Promise<void>((resolve) => stat(import.meta.dirname, () => (order.push('io'), resolve())));
      busy(5);
      order.push(`d${i}`);
    }),
  );
  await Promise.all(work);
  await io;
  // Normally right after the first turn (index 2); on a starved machine perhaps a turn later, but never inside a turn
  // and never after all of them, which is where it lands without turns.
  const at = order.indexOf('io');
  assert.ok(at >= 2 && at < order.length - 1 && at % 2 === 0, `the I/O callback ran between two turns: ${order.join(' ')}`);
  assert.deepEqual(order.filter((x) => x !== 'io'), ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7']);
});

test('a scheduler drained once keeps working, and refuses a nonsense slice', async () => {
  const s = new TurnScheduler(1);
  await s.turn();
  await Promise.all([s.turn(), s.turn()]);
  assert.equal(s.queued, 0);
  assert.throws(() => new TurnScheduler(0), RangeError);
  assert.throws(() => new TurnScheduler(1.5), RangeError);
});
