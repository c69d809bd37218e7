/**
 * Times one node's local training (logistic regression, 3,000 x 30 rows, 5 epochs, batch 64) on each tfjs backend
 * available here, against a plain-TypeScript SGD loop doing the same epochs as the in-run reference, so the choice
 * of backend (DESIGN.md: "whichever measures faster for our models") rests on figures from this machine.
 *
 *   node --import tsx simulations/bench/train-bench.ts [--repeats 5] [--backends cpu,wasm,tensorflow]
 */
import { parseArgs } from 'node:util';
import { createRng, deriveSeed, normal, shuffledIndices } from '../../common/random.js';
import { initialWeights, loadTf, predictLinear, trainLogistic } from '../../node/training/index.js';
import type { LinearWeights, TfBackendName, TrainOptions } from '../../node/training/index.js';

const N = 3000;
const D = 30;
const SEED = 20240601;
const OPTIONS: TrainOptions = { epochs: 5, batchSize: 64, learningRate: 0.1, optimizer: 'sgd', seed: 11 };

function syntheticData(n: number, d: number, seed: number): { x: Float32Array; y: Uint8Array } {
  const rng = createRng(deriveSeed(seed, 'bench-data'));
  const truth = Array.from({ length: d }, () => normal(rng));
  const x = new Float32Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let z = -0.5;
    for (let j = 0; j < d; j++) {
      const v = normal(rng);
      x[i * d + j] = v;
      z += truth[j]! * v;
    }
    y[i] = rng() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x, y };
}

/** The same minibatch SGD on the same batches as trainLogistic (sgd, no penalties), in float64 plain TypeScript. */
function plainSgd(x: Float32Array, y: Uint8Array, d: number, init: LinearWeights, opts: TrainOptions): LinearWeights {
  const n = y.length;
  const w = Float64Array.from(init.weights);
  let b = init.bias;
  const grad = new Float64Array(d);
  for (let e = 0; e < opts.epochs; e++) {
    const order = shuffledIndices(n, createRng(deriveSeed(opts.seed, `epoch-${e}`)));
    for (let start = 0; start < n; start += opts.batchSize) {
      const m = Math.min(opts.batchSize, n - start);
      grad.fill(0);
      let gb = 0;
      for (let i = 0; i < m; i++) {
        const row = order[start + i]!;
        const off = row * d;
        let z = b;
        for (let j = 0; j < d; j++) z += w[j]! * x[off + j]!;
        const err = 1 / (1 + Math.exp(-z)) - y[row]!;
        for (let j = 0; j < d; j++) grad[j]! += err * x[off + j]!;
        gb += err;
      }
      const step = opts.learningRate / m;
      for (let j = 0; j < d; j++) w[j]! -= step * grad[j]!;
      b -= step * gb;
    }
  }
  return { weights: Array.from(w), bias: b };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function accuracy(model: LinearWeights, x: Float32Array, y: Uint8Array): number {
  const p = predictLinear(model, x, D);
  let ok = 0;
  for (let i = 0; i < y.length; i++) if ((p[i]! >= 0.5 ? 1 : 0) === y[i]) ok++;
  return ok / y.length;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { repeats: { type: 'string', default: '5' }, backends: { type: 'string', default: 'cpu,wasm,tensorflow' } },
  });
  const repeats = Math.max(1, Number(values.repeats));
  const wanted = values.backends.split(',').map((s) => s.trim()) as TfBackendName[];
  const { x, y } = syntheticData(N, D, SEED);
  const init = initialWeights(D, SEED);
  console.log(`train-bench: ${N} x ${D}, ${OPTIONS.epochs} epochs, batch ${OPTIONS.batchSize}, ${repeats} timed runs after 1 warm-up (median)`);

  const plainTimes: number[] = [];
  let plainModel = plainSgd(x, y, D, init, OPTIONS);
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    plainModel = plainSgd(x, y, D, init, OPTIONS);
    plainTimes.push((performance.now() - t0) / 1000);
  }
  const plain = median(plainTimes);
  console.log(`plain-ts   ${plain.toFixed(4)} s   accuracy ${accuracy(plainModel, x, y).toFixed(4)}`);

  const rows: { backend: string; seconds: number; first: number }[] = [];
  for (const backend of wanted) {
    try {
      const loaded = await loadTf({ backend });
      const first = await trainLogistic(x, y, D, init, OPTIONS);
      const times: number[] = [];
      let last = first;
      for (let r = 0; r < repeats; r++) {
        last = await trainLogistic(x, y, D, init, OPTIONS);
        times.push(last.seconds);
      }
      const seconds = median(times);
      let maxDiff = 0;
      for (let j = 0; j < D; j++) maxDiff = Math.max(maxDiff, Math.abs(last.model.weights[j]! - plainModel.weights[j]!));
      rows.push({ backend: loaded.backend, seconds, first: first.seconds });
      console.log(
        `${loaded.backend.padEnd(10)} ${seconds.toFixed(4)} s   (first run ${first.seconds.toFixed(3)} s)   ` +
          `accuracy ${accuracy(last.model, x, y).toFixed(4)}   max |w - w_plain| ${maxDiff.toExponential(2)}   ` +
          `tensors ${loaded.tf.memory().numTensors}`,
      );
    } catch (err: unknown) {
      console.log(`${backend.padEnd(10)} unavailable: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  console.log('\nratios (median seconds):');
  for (const r of rows) console.log(`  ${r.backend} / plain-ts = ${(r.seconds / plain).toFixed(1)}x`);
  const cpu = rows.find((r) => r.backend === 'cpu');
  for (const r of rows) {
    if (cpu !== undefined && r !== cpu) console.log(`  ${r.backend} / cpu = ${(r.seconds / cpu.seconds).toFixed(2)}x`);
  }
}

await main();
