import { ZenEngine, type ZenDecision } from '@gorules/zen-engine';
import { FedriskError, invalid } from '../../common/errors.js';
import { canonicalDigest, canonicalJson } from '../canonical-json.js';
import type { RuleHit, RulesContext, RulesResult } from '../pipeline/decision-types.js';
import { checkJdmCells, checkJdmStructure, HIT_ACTIONS, zenMessage, type JdmDocument } from './jdm-check.js';
import { RISKY_RULES_CONTEXT, validationSamples } from './sample-rules-context.js';

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

class ZenCompiledRules implements CompiledRules {
  constructor(
    readonly version: number,
    readonly digest: string,
    readonly document: JdmDocument,
    private readonly decision: ZenDecision,
  ) {}

  async evaluate(ctx: RulesContext): Promise<RulesResult> {
    let result: unknown;
    try {
      result = (await this.decision.evaluate(ctx)).result;
    } catch (err) {
      throw new FedriskError('INTERNAL', `rules version ${this.version} failed to evaluate: ${zenMessage(err).text}`, {
        rulesVersion: this.version,
      });
    }
    const read = readHits(result);
    if ('field' in read) {
      throw new FedriskError('INTERNAL', `rules version ${this.version} answered in the wrong shape: ${read.field}: ${read.message}`, {
        rulesVersion: this.version,
        field: read.field,
      });
    }
    return { rulesVersion: this.version, hits: read.hits, action: mostSevere(read.hits) };
  }
}

/**
 * The rule engine: JDM decision graphs evaluated by `@gorules/zen-engine` (Rust core), so risk operators edit tables,
 * not code. One engine instance is shared; each compiled version holds its own created decision, so an evaluation
 * costs one native call and no parsing.
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
    return new ZenCompiledRules(version, canonicalDigest(document), document, decision);
  }

  private static cellContext(): RulesContext {
    return JSON.parse(JSON.stringify(RISKY_RULES_CONTEXT)) as RulesContext;
  }
}
