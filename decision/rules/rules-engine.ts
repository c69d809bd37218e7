import { ZenEngine, type ZenDecision } from '@gorules/zen-engine';
import { FedriskError, invalid } from '../../common/errors.js';
import { canonicalDigest, canonicalJson } from '../canonical-json.js';
import type { RuleHit, RulesContext, RulesResult } from '../pipeline/decision-types.js';
import { checkJdmCells, checkJdmStructure, HIT_ACTIONS, zenMessage, type JdmDocument } from './jdm-check.js';
import { createRng } from '../../common/random.js';
import { compileJdm } from './jdm-compiler.js';
import { safeRulesContext } from './zen-safety.js';
import { RISKY_RULES_CONTEXT, randomRulesContext, validationSamples } from './sample-rules-context.js';

/** Random contexts the compiled evaluator must agree with zen-engine on before it replaces it (fixed seed: repeatable). */
export const CROSS_CHECK_CONTEXTS = 400;
const CROSS_CHECK_SEED = 0x5eed;

/**
 * A rule document compiled once and evaluated per application. Immutable: a new version is a new CompiledRules, so a
 * decision in flight keeps the version it started with while the next one already uses the new one (hot reload).
 */
export interface CompiledRules {
  readonly version: number;
  /** SHA-256 of the document's canonical JSON: what the audit record and the store name the rules by. */
  readonly digest: string;
  /** A private deep copy of the document that was compiled. */
  readonly document: JdmDocument;
  /**
   * Which evaluator runs it: `compiled` (the document compiled to JavaScript closures, checked against zen-engine
   * when compiled) or `zen-engine` (documents outside the compiler's subset, or the rare one where they disagreed).
   */
  readonly engine: 'compiled' | 'zen-engine';
  /** Why zen-engine evaluates this document (null when compiled). */
  readonly engineNote: string | null;
  /** Every hit (collect policy) and the most severe action; `pass` when nothing asks for reject or review. */
  evaluate(ctx: RulesContext): Promise<RulesResult>;
}

type HitsOrProblem = { hits: RuleHit[] } | { field: string; message: string };

const SEVERITY: Record<RulesResult['action'], number> = { pass: 0, review: 1, reject: 2 };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The output contract of a rule document: either an array of hits (a collect table wired straight to the output) or
 * an object whose `hits` is that array (the default document: a collect table with `outputPath: "hits"`). Each hit
 * carries string ruleId, flag, reasonCode and an action in reject|review|flag; extra fields are dropped.
 */
export function readHits(result: unknown): HitsOrProblem {
  const list: unknown = Array.isArray(result) ? result : isObj(result) ? result['hits'] : undefined;
  if (!Array.isArray(list)) {
    return { field: 'rules.output', message: 'the document must output an array of hits or an object {"hits": [...]}' };
  }
  const hits: RuleHit[] = [];
  for (let k = 0; k < list.length; k++) {
    const h: unknown = list[k];
    const at = `rules.output.hits[${k}]`;
    if (!isObj(h)) return { field: at, message: 'a hit must be an object {ruleId, flag, action, reasonCode}' };
    for (const key of ['ruleId', 'flag', 'reasonCode'] as const) {
      const v = h[key];
      if (typeof v !== 'string' || v.length === 0) return { field: `${at}.${key}`, message: `must be a non-empty string (got ${JSON.stringify(v)})` };
    }
    const action = h['action'];
    if (action !== 'reject' && action !== 'review' && action !== 'flag') {
      return { field: `${at}.action`, message: `must be one of ${HIT_ACTIONS.join(', ')} (got ${JSON.stringify(action)})` };
    }
    hits.push({ ruleId: h['ruleId'] as string, flag: h['flag'] as string, action, reasonCode: h['reasonCode'] as string });
  }
  return { hits };
}

/** Most severe action asked for: any reject wins, then review; flags alone pass. */
export function mostSevere(hits: readonly RuleHit[]): RulesResult['action'] {
  let action: RulesResult['action'] = 'pass';
  for (const h of hits) {
    const a = h.action === 'flag' ? 'pass' : h.action;
    if (SEVERITY[a] > SEVERITY[action]) action = a;
  }
  return action;
}

function checkedHits(version: number, result: unknown): RulesResult {
  const read = readHits(result);
  if ('field' in read) {
    throw new FedriskError('INTERNAL', `rules version ${version} answered in the wrong shape: ${read.field}: ${read.message}`, {
      rulesVersion: version,
      field: read.field,
    });
  }
  return { rulesVersion: version, hits: read.hits, action: mostSevere(read.hits) };
}

class ZenCompiledRules implements CompiledRules {
  readonly engine = 'zen-engine';
  constructor(
    readonly version: number,
    readonly digest: string,
    readonly document: JdmDocument,
    private readonly decision: ZenDecision,
    readonly engineNote: string,
  ) {}

  async evaluate(ctx: RulesContext): Promise<RulesResult> {
    let result: unknown;
    try {
      result = (await this.decision.evaluate(safeRulesContext(ctx))).result;
    } catch (err) {
      throw new FedriskError('INTERNAL', `rules version ${this.version} failed to evaluate: ${zenMessage(err).text}`, {
        rulesVersion: this.version,
      });
    }
    return checkedHits(this.version, result);
  }
}

/**
 * The same document as JavaScript closures (jdm-compiler.ts): one synchronous call of a few microseconds instead of
 * an async native call (~150 us of CPU with zen-engine's context conversion), on every application. Only built for
 * documents inside the compiler's subset and only after it answered exactly like zen-engine on the validation samples
 * and {@link CROSS_CHECK_CONTEXTS} random contexts.
 */
class JsCompiledRules implements CompiledRules {
  readonly engine = 'compiled';
  readonly engineNote = null;
  constructor(
    readonly version: number,
    readonly digest: string,
    readonly document: JdmDocument,
    private readonly run: (ctx: RulesContext) => unknown,
  ) {}

  evaluate(ctx: RulesContext): Promise<RulesResult> {
    let result: unknown;
    try {
      result = this.run(safeRulesContext(ctx));
    } catch (err) {
      return Promise.reject(
        new FedriskError('INTERNAL', `rules version ${this.version} failed to evaluate: ${err instanceof Error ? err.message : String(err)}`, {
          rulesVersion: this.version,
        }),
      );
    }
    try {
      return Promise.resolve(checkedHits(this.version, result));
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

/** The first context on which the compiled evaluator and zen-engine answer differently, or null when they agree. */
async function firstDisagreement(run: (ctx: RulesContext) => unknown, decision: ZenDecision): Promise<string | null> {
  const rng = createRng(CROSS_CHECK_SEED);
  const contexts = [...validationSamples().map((s) => s.context), ...Array.from({ length: CROSS_CHECK_CONTEXTS }, () => randomRulesContext(rng))].map(safeRulesContext);
  for (const ctx of contexts) {
    let ours: string;
    try {
      ours = canonicalJson(run(ctx));
    } catch (err) {
      return `the compiled evaluator failed on ${canonicalJson(ctx)}: ${err instanceof Error ? err.message : String(err)}`;
    }
    let theirs: string;
    try {
      theirs = canonicalJson((await decision.evaluate(ctx)).result);
    } catch (err) {
      return `zen-engine failed on ${canonicalJson(ctx)}: ${zenMessage(err).text}`;
    }
    if (ours !== theirs) return `answers differ on ${canonicalJson(ctx)}: compiled ${ours}, zen-engine ${theirs}`;
  }
  return null;
}

/**
 * The rule engine: JDM decision graphs validated by `@gorules/zen-engine` (Rust core), so risk operators edit tables,
 * not code. Documents inside the common subset (one decision table, typed expressions: jdm-compiler.ts) run as
 * compiled JavaScript once they answered like zen-engine on every cross-check context; any other document runs on
 * zen-engine itself (one shared engine, each version holding its created decision).
 */
export class RulesEngine {
  private static shared: ZenEngine | null = null;

  private static engine(): ZenEngine {
    if (!RulesEngine.shared) RulesEngine.shared = new ZenEngine();
    return RulesEngine.shared;
  }

  /**
   * Validates and compiles a rule document: a JDM object whose graph zen-engine accepts, whose cells all parse, and
   * which answers every built-in sample context ({@link validationSamples}) with well-formed hits. Anything else is
   * INVALID_ARGUMENT naming the offending path (`rules.nodes[1].content.rules[4].action`), so a bad document is
   * refused when it is put, never discovered on a live application.
   */
  static async compile(version: number, doc: unknown): Promise<CompiledRules> {
    if (!Number.isSafeInteger(version) || version < 0) throw invalid('version', 'must be a non-negative integer');
    const structural = checkJdmStructure(doc);
    let document: JdmDocument;
    try {
      document = JSON.parse(canonicalJson(structural)) as JdmDocument;
    } catch (err) {
      throw invalid('rules', `must be plain JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    let decision: ZenDecision;
    try {
      decision = RulesEngine.engine().createDecision(document);
      decision.validate();
    } catch (err) {
      throw invalid('rules', `zen-engine refused the decision graph: ${zenMessage(err).text}`);
    }
    // First zen-engine evaluation of the document: checkJdmCells refuses what would abort the process (zen-safety.ts).
    checkJdmCells(document, RulesEngine.cellContext());
    for (const sample of validationSamples()) {
      let result: unknown;
      try {
        result = (await decision.evaluate(sample.context)).result;
      } catch (err) {
        throw invalid('rules', `evaluation failed on the '${sample.name}' sample context: ${zenMessage(err).text}`);
      }
      const read = readHits(result);
      if ('field' in read) throw invalid(read.field, `on the '${sample.name}' sample context: ${read.message}`);
    }
    const digest = canonicalDigest(document);
    const js = compileJdm(document);
    if ('unsupported' in js) return new ZenCompiledRules(version, digest, document, decision, `outside the compiled subset: ${js.unsupported}`);
    const disagreement = await firstDisagreement(js.evaluate, decision);
    if (disagreement !== null) return new ZenCompiledRules(version, digest, document, decision, `compiled evaluator disagreed: ${disagreement}`);
    return new JsCompiledRules(version, digest, document, js.evaluate);
  }

  private static cellContext(): RulesContext {
    return JSON.parse(JSON.stringify(RISKY_RULES_CONTEXT)) as RulesContext;
  }
}
