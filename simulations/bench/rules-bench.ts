/**
 * `npm run bench:rules`: the default rule set evaluated by the compiled closures (decision/rules/jdm-compiler.ts, what
 * the service runs) and, in the same run on the same contexts, by zen-engine (the reference, and the fallback for
 * documents outside the compiled subset). Prints wall time per evaluation one at a time, CPU per evaluation with 50
 * in flight (zen-engine's calls are async and run on its own threads), and the ratios. Answers are compared too.
 *
 *   node --import tsx simulations/bench/rules-bench.ts [--contexts 2000] [--rounds 10]
 */
import { parseArgs } from 'node:util';
import { ZenEngine } from '@gorules/zen-engine';
import { createRng } from '../../common/random.js';
import { canonicalJson } from '../../decision/canonical-json.js';
import { compileJdm } from '../../decision/rules/jdm-compiler.js';
import { defaultRulesDocument, randomRulesContext } from '../../decision/rules/index.js';

const { values } = parseArgs({ options: { contexts: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '10' } } });
const CONTEXTS = Number(values.contexts);
const ROUNDS = Number(values.rounds);

const doc = defaultRulesDocument();
const compiled = compileJdm(doc);
if ('unsupported' in compiled) throw new Error(`the default rules do not compile: ${compiled.unsupported}`);
const zen = new ZenEngine().createDecision(doc);
const rng = createRng(42);
const contexts = Array.from({ length: CONTEXTS }, () => randomRulesContext(rng));

let differ = 0;
for (const ctx of contexts) if (canonicalJson(compiled.evaluate(ctx)) !== canonicalJson((await zen.evaluate(ctx)).result)) differ++;

interface Figures {
  wallUs: number;
  cpuUs: number;
}

async function measure(evaluate: (ctx: (typeof contexts)[number]) => unknown): Promise<Figures> {
  // One at a time: the latency a decision sees.
  const n = CONTEXTS * ROUNDS;
  let t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await evaluate(contexts[i % CONTEXTS]!);
  const wallUs = Number(process.hrtime.bigint() - t) / 1e3 / n;
  // 50 in flight: the CPU it costs the process (all threads) under load.
  const cpu0 = process.cpuUsage();
  let k = 0;
  t = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (k < n) await evaluate(contexts[k++ % CONTEXTS]!);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { wallUs, cpuUs: (cpu.user + cpu.system) / n };
}

// Warm-up of both, then the measured runs.
for (const ctx of contexts.slice(0, 200)) {
  compiled.evaluate(ctx);
  await zen.evaluate(ctx);
}
const fast = await measure((ctx) => compiled.evaluate(ctx));
const ref = await measure(async (ctx) => (await zen.evaluate(ctx)).result);

const f = (x: number): string => x.toFixed(2).padStart(9);
console.log(`rules bench: default rule set, ${CONTEXTS} random contexts x ${ROUNDS}; answers that differ: ${differ}`);
console.log(`  zen-engine (reference)  ${f(ref.wallUs)} us/eval one at a time   ${f(ref.cpuUs)} us CPU/eval at 50 in flight`);
console.log(`  compiled closures       ${f(fast.wallUs)} us/eval one at a time   ${f(fast.cpuUs)} us CPU/eval at 50 in flight`);
console.log(`  ratio zen/compiled      ${(ref.wallUs / fast.wallUs).toFixed(0)}x wall, ${(ref.cpuUs / fast.cpuUs).toFixed(0)}x CPU`);
if (differ > 0) process.exitCode = 1;
