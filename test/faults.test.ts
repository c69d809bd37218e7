/**
 * Faults, tested rather than assumed, on real processes: a node that dies mid-job (its absence is data, the round
 * closes at its deadline with the others), a node that is killed and restarted (it resumes from its store), and a
 * coordinator that is killed and restarted on its store (the nodes wait it out and finish the job).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateKeyFile } from '../common/crypto/index.js';
import { KnexCoordinatorStore, coordinatorStatus } from '../coordinator/index.js';
import { NodeStore } from '../node/index.js';
import { ChildProcessGroup } from '../simulations/child-process-group.js';
import { prepareRunLayout, type NodeLayout, type RunLayout } from '../simulations/run-layout.js';
import { startCoordinatorProcess, startNodeProcess } from '../simulations/consortium-processes.js';

function layout(nodes: number, rounds: number): RunLayout {
  return prepareRunLayout({
    dataset: 'credit_data',
    partition: { kind: 'random', parts: nodes },
    rounds,
    localEpochs: 1,
    seed: 11,
    plaintext: false,
    testFraction: 0.3,
    outDir: mkdtempSync(join(tmpdir(), 'fedrisk-fault-')),
  });
}

async function releasedRound(l: RunLayout): Promise<number> {
  const store = await KnexCoordinatorStore.open({ client: 'sqlite', filename: join(l.runDir, 'coordinator.sqlite') });
  try {
    return (await coordinatorStatus(store)).job?.releasedRound ?? -1;
  } finally {
    await store.close();
  }
}

async function waitForRound(l: RunLayout, round: number, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await releasedRound(l)) >= round) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`round ${round} was not released within ${timeoutMs} ms`);
}

async function finalWeights(node: NodeLayout): Promise<number[]> {
  const store = await NodeStore.open({ client: 'sqlite', filename: join(node.dir, 'node.sqlite') }, loadOrCreateKeyFile(join(node.dir, 'node.key')));
  try {
    const m = await store.latestModel();
    assert.ok(m, `${node.name} has a model`);
    return m.model.weights;
  } finally {
    await store.close();
  }
}

async function status(l: RunLayout) {
  const store = await KnexCoordinatorStore.open({ client: 'sqlite', filename: join(l.runDir, 'coordinator.sqlite') });
  try {
    return await coordinatorStatus(store);
  } finally {
    await store.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

test('a node that dies mid-job: later rounds close at their deadline with the other three', { timeout: 300_000 }, async () => {
  const l = layout(4, 4);
  const group = new ChildProcessGroup();
  try {
    const coord = await startCoordinatorProcess(group, l, { port: 0, roundTimeoutMs: 8000, minContributors: 3, minMembers: 4 });
    const procs = l.nodes.map((n) => startNodeProcess(group, l, n, coord.address));
    await waitForRound(l, 1);
    procs[3]!.child.kill('SIGKILL');
    const codes = await Promise.all(procs.slice(0, 3).map((p) => p.exited));
    assert.deepEqual(codes, [0, 0, 0]);
    const s = await status(l);
    assert.equal(s.job?.phase, 'COMPLETED');
    const last = s.rounds.at(-1)!;
    assert.equal(last.round, 4);
    assert.equal(last.contributors, 3, 'the dead node is simply missing from the last round');
    const [a, b, c] = await Promise.all(l.nodes.slice(0, 3).map(finalWeights));
    assert.deepEqual(a, b);
    assert.deepEqual(a, c);
  } finally {
    await group.stopAll();
  }
});

test('a node killed and restarted mid-job resumes from its own store and finishes with the others', { timeout: 300_000 }, async () => {
  const l = layout(3, 4);
  const group = new ChildProcessGroup();
  try {
    const coord = await startCoordinatorProcess(group, l, { port: 0, roundTimeoutMs: 120_000, minContributors: 3, minMembers: 3 });
    const procs = l.nodes.map((n) => startNodeProcess(group, l, n, coord.address));
    await waitForRound(l, 1);
    procs[1]!.child.kill('SIGKILL');
    await procs[1]!.exited;
    const again = startNodeProcess(group, l, l.nodes[1]!, coord.address);
    const codes = await Promise.all([procs[0]!.exited, again.exited, procs[2]!.exited]);
    assert.deepEqual(codes, [0, 0, 0]);
    const s = await status(l);
    assert.equal(s.job?.phase, 'COMPLETED');
    assert.equal(s.members.length, 3, 'the restarted node re-used its membership');
    for (const r of s.rounds) assert.equal(r.contributors, 3, `round ${r.round}`);
    assert.deepEqual(await finalWeights(l.nodes[1]!), await finalWeights(l.nodes[0]!));
  } finally {
    await group.stopAll();
  }
});

test('a coordinator killed mid-job and restarted on its store: the nodes wait and finish the job', { timeout: 300_000 }, async () => {
  const l = layout(3, 5);
  const group = new ChildProcessGroup();
  try {
    const port = await freePort();
    const opts = { port, roundTimeoutMs: 120_000, minContributors: 3, minMembers: 3 };
    const coord = await startCoordinatorProcess(group, l, opts);
    const procs = l.nodes.map((n) => startNodeProcess(group, l, n, coord.address));
    await waitForRound(l, 2);
    coord.proc.child.kill('SIGKILL');
    await coord.proc.exited;
    await new Promise((r) => setTimeout(r, 1500));
    await startCoordinatorProcess(group, l, opts);
    const codes = await Promise.all(procs.map((p) => p.exited));
    assert.deepEqual(codes, [0, 0, 0]);
    const s = await status(l);
    assert.equal(s.job?.phase, 'COMPLETED');
    assert.equal(s.job?.releasedRound, 5);
    for (const r of s.rounds) assert.equal(r.contributors, 3, `round ${r.round}`);
  } finally {
    await group.stopAll();
  }
});
