import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FedriskError } from '../../common/errors.js';
import { createRng, deriveSeed, normal, shuffledIndices } from '../../common/random.js';
import { DEFAULT_TRAIN_OPTIONS, initialWeights, predictLinear, trainLogistic } from './logistic-trainer.js';
import type { LinearWeights, TrainOptions } from './logistic-trainer.js';
import { loadTf } from './tf-backend.js';

/** Linearly separable rows: label = [x . truth + 0.3 > 0]. */
function separable(n: number, d: number, seed: number): { x: Float32Array; y: Uint8Array } {
  const rng = createRng(deriveSeed(seed, 'test-data'));
  const truthRng = createRng(deriveSeed(1, 'truth'));
  const truth = Array.from({ length: d }, () => normal(truthRng));
  const x = new Float32Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let z = 0.3;
    for (let j = 0; j < d; j++) {
      const v = normal(rng);
      x[i * d + j] = v;
      z += truth[j]! * v;
    }
    y[i] = z > 0 ? 1 : 0;
  }
  return { x, y };
}

function accuracy(model: LinearWeights, x: Float32Array, y: Uint8Array, d: number): number {
  const p = predictLinear(model, x, d);
  let ok = 0;
  for (let i = 0; i < y.length; i++) if ((p[i]! >= 0.5 ? 1 : 0) === y[i]) ok++;
  return ok / y.length;
}

function distance(a: LinearWeights, b: LinearWeights): number {
  let s = (a.bias - b.bias) ** 2;
  for (let j = 0; j < a.weights.length; j++) s += (a.weights[j]! - b.weights[j]!) ** 2;
  return Math.sqrt(s);
}

const D = 12;
const train = separable(1200, D, 1);
const test = separable(600, D, 2);
const init = initialWeights(D, 99);
// Explicit rather than DEFAULT_TRAIN_OPTIONS, so retuning the defaults cannot silently weaken these tests.
const OPTS: TrainOptions = { epochs: 2, batchSize: 32, learningRate: 0.01, optimizer: 'adam', seed: 5 };

function assertInvalid(fn: () => Promise<unknown>, field: string): Promise<void> {
  return assert.rejects(fn, (err: unknown) => {
    assert.ok(err instanceof FedriskError, `expected FedriskError, got ${String(err)}`);
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.equal(err.details.field, field);
    return true;
  });
}

describe('loadTf', () => {
  it('loads once and falls back to the cpu backend without tfjs-node', async () => {
    const a = await loadTf();
    const b = await loadTf();
    assert.equal(a.tf, b.tf);
    assert.ok(['cpu', 'tensorflow'].includes(a.backend), a.backend);
  });

  it('refuses a forced backend that is not installed instead of silently falling back', async (t) => {
    const { backend } = await loadTf();
    if (backend === 'tensorflow') return t.skip('tfjs-node is installed here');
    await assert.rejects(loadTf({ backend: 'tensorflow' }), (err: unknown) => {
      assert.ok(err instanceof FedriskError);
      assert.equal(err.code, 'FAILED_PRECONDITION');
      return true;
    });
    assert.equal((await loadTf()).backend, backend);
  });
});

describe('initialWeights', () => {
  it('is the same for everyone given the job seed, small, with a zero bias', () => {
    const a = initialWeights(30, 42);
    assert.deepEqual(a, initialWeights(30, 42));
    assert.notDeepEqual(a, initialWeights(30, 43));
    assert.equal(a.weights.length, 30);
    assert.equal(a.bias, 0);
    assert.ok(a.weights.every((w) => Math.abs(w) < 0.06 && w === Math.fround(w)));
  });

  it('refuses a bad dimension', () => {
    assert.throws(() => initialWeights(0, 1), FedriskError);
    assert.throws(() => initialWeights(2.5, 1), FedriskError);
  });
});

describe('predictLinear', () => {
  it('computes sigmoid(xw + b) without overflow', () => {
    const model = { weights: [1, -2], bias: 0.5 };
    const x = Float32Array.from([0, 0, 1, 1, 1000, 0, -1000, 0]);
    const p = predictLinear(model, x, 2);
    assert.equal(p.length, 4);
    assert.ok(Math.abs(p[0]! - 1 / (1 + Math.exp(-0.5))) < 1e-12);
    assert.ok(Math.abs(p[1]! - 1 / (1 + Math.exp(0.5))) < 1e-12);
    assert.equal(p[2], 1);
    assert.ok(p[3]! >= 0 && p[3]! < 1e-300);
  });

  it('refuses mismatched shapes', () => {
    assert.throws(() => predictLinear({ weights: [1, 2], bias: 0 }, new Float32Array(3), 2), FedriskError);
    assert.throws(() => predictLinear({ weights: [1, 2, 3], bias: 0 }, new Float32Array(4), 2), FedriskError);
  });
});

describe('trainLogistic', () => {
  it('learns a linearly separable problem', async () => {
    const before = accuracy(init, test.x, test.y, D);
    const res = await trainLogistic(train.x, train.y, D, init, { ...OPTS, epochs: 5 });
    const acc = accuracy(res.model, test.x, test.y, D);
    assert.ok(acc > 0.9, `hold-out accuracy ${acc} (was ${before} before training)`);
    assert.ok(res.loss < 0.3, `training loss ${res.loss}`);
    assert.ok(res.seconds > 0);
    assert.equal(res.model.weights.length, D);
  });

  it('accepts the defaults and improves on the starting model with them', async () => {
    const start = await trainLogistic(train.x, train.y, D, init, { ...OPTS, learningRate: 1e-9, epochs: 1 });
    const res = await trainLogistic(train.x, train.y, D, init, { ...DEFAULT_TRAIN_OPTIONS, seed: 5 });
    assert.ok(res.loss < start.loss - 0.1, `loss ${res.loss} vs ${start.loss} at the start`);
    assert.ok(accuracy(res.model, test.x, test.y, D) > 0.85);
  });

  it('is bit-identical for the same seed and differs for another seed', async () => {
    for (const optimizer of ['sgd', 'adam'] as const) {
      const o: TrainOptions = { ...OPTS, optimizer, learningRate: optimizer === 'sgd' ? 0.1 : 0.01, proximalMu: 0.01 };
      const a = await trainLogistic(train.x, train.y, D, init, o);
      const b = await trainLogistic(train.x, train.y, D, init, o);
      const c = await trainLogistic(train.x, train.y, D, init, { ...o, seed: o.seed + 1 });
      assert.deepEqual(a.model, b.model, optimizer);
      assert.equal(a.loss, b.loss);
      assert.notDeepEqual(a.model, c.model, optimizer);
    }
  });

  it('does plain minibatch SGD on the seeded batches (matches a float64 reference)', async () => {
    const o: TrainOptions = { epochs: 2, batchSize: 50, learningRate: 0.1, optimizer: 'sgd', seed: 17 };
    const n = train.y.length;
    const w = Float64Array.from(init.weights);
    let bias = init.bias;
    for (let e = 0; e < o.epochs; e++) {
      const order = shuffledIndices(n, createRng(deriveSeed(o.seed, `epoch-${e}`)));
      for (let s = 0; s < n; s += o.batchSize) {
        const m = Math.min(o.batchSize, n - s);
        const g = new Float64Array(D);
        let gb = 0;
        for (let i = 0; i < m; i++) {
          const r = order[s + i]!;
          let z = bias;
          for (let j = 0; j < D; j++) z += w[j]! * train.x[r * D + j]!;
          const err = 1 / (1 + Math.exp(-z)) - train.y[r]!;
          for (let j = 0; j < D; j++) g[j]! += err * train.x[r * D + j]!;
          gb += err;
        }
        for (let j = 0; j < D; j++) w[j]! -= (o.learningRate / m) * g[j]!;
        bias -= (o.learningRate / m) * gb;
      }
    }
    const res = await trainLogistic(train.x, train.y, D, init, o);
    const reference = { weights: Array.from(w), bias };
    assert.ok(distance(res.model, reference) < 1e-4, `distance to reference ${distance(res.model, reference)}`);
  });

  it('stays close to the global model under a large proximal term', async () => {
    const free = await trainLogistic(train.x, train.y, D, init, OPTS);
    const prox = await trainLogistic(train.x, train.y, D, init, { ...OPTS, proximalMu: 100 });
    const dFree = distance(free.model, init);
    const dProx = distance(prox.model, init);
    assert.ok(dFree > 1, `unconstrained training moved only ${dFree}`);
    assert.ok(dProx < 0.05 * dFree, `proximal ${dProx} vs free ${dFree}`);
  });

  it('clips every weight and the bias', async () => {
    const clip = 0.05;
    const res = await trainLogistic(train.x, train.y, D, init, { ...OPTS, clip });
    const all = [...res.model.weights, res.model.bias];
    assert.ok(all.every((v) => Math.abs(v) <= clip), JSON.stringify(all));
    assert.ok(all.some((v) => Math.abs(v) === clip), 'the clip should bind on this problem');
  });

  it('releases every tensor it creates', async () => {
    const { tf } = await loadTf();
    await trainLogistic(train.x, train.y, D, init, OPTS); // warm-up: lazy kernel state is not a leak
    const baseline = tf.memory().numTensors;
    for (const optimizer of ['sgd', 'adam'] as const) {
      await trainLogistic(train.x, train.y, D, init, { ...OPTS, optimizer, l2: 0.01, proximalMu: 0.1, clip: 1 });
      assert.equal(tf.memory().numTensors, baseline, optimizer);
    }
    await assert.rejects(trainLogistic(train.x, train.y.subarray(1), D, init, OPTS));
    assert.equal(tf.memory().numTensors, baseline);
  });

  it('refuses bad shapes and options', async () => {
    const { x, y } = train;
    await assertInvalid(() => trainLogistic(x.subarray(1), y, D, init, OPTS), 'x');
    await assertInvalid(() => trainLogistic(x, y.subarray(1), D, init, OPTS), 'x');
    await assertInvalid(() => trainLogistic(new Float32Array(0), new Uint8Array(0), D, init, OPTS), 'y');
    await assertInvalid(() => trainLogistic(x, y, D, initialWeights(D + 1, 1), OPTS), 'init.weights');
    await assertInvalid(() => trainLogistic(x, y, 0, init, OPTS), 'd');
    const badLabel = Uint8Array.from(y);
    badLabel[3] = 2;
    await assertInvalid(() => trainLogistic(x, badLabel, D, init, OPTS), 'y');
    const nan = Float32Array.from(x);
    nan[7] = Number.NaN;
    await assertInvalid(() => trainLogistic(nan, y, D, init, OPTS), 'x');
    await assertInvalid(() => trainLogistic(x, y, D, { weights: init.weights, bias: Number.POSITIVE_INFINITY }, OPTS), 'init.bias');
    await assertInvalid(() => trainLogistic(x, y, D, init, { ...OPTS, epochs: 0 }), 'epochs');
    await assertInvalid(() => trainLogistic(x, y, D, init, { ...OPTS, batchSize: 1.5 }), 'batchSize');
    await assertInvalid(() => trainLogistic(x, y, D, init, { ...OPTS, learningRate: -1 }), 'learningRate');
    await assertInvalid(() => trainLogistic(x, y, D, init, { ...OPTS, seed: -1 }), 'seed');
    await assertInvalid(() => trainLogistic(x, y, D, init, { ...OPTS, proximalMu: -0.1 }), 'proximalMu');
    await assertInvalid(() => trainLogistic(x, y, D, init, { ...OPTS, clip: 0 }), 'clip');
    const bogus = { ...OPTS, optimizer: 'rmsprop' } as unknown as TrainOptions;
    await assertInvalid(() => trainLogistic(x, y, D, init, bogus), 'optimizer');
  });
});
