import { FedriskError } from '../../common/errors.js';

/** The tfjs namespace as the rest of the node sees it, whichever package actually provided it. */
export type TfModule = typeof import('@tensorflow/tfjs');

/**
 * `tensorflow` is the native backend of `@tensorflow/tfjs-node` (only when the user installed it), `wasm` needs
 * `@tensorflow/tfjs-backend-wasm` (not a dependency; the bench measures it), `cpu` always works.
 */
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface LoadTfOptions {
  /**
   * Force one backend instead of the automatic choice (native if installed, else cpu). Meant for benchmarks and for
   * working around a broken native install; a forced backend that cannot load is an error, never a silent fallback,
   * so a benchmark cannot quietly measure the wrong thing.
   */
  backend?: TfBackendName;
}

export interface LoadedTf {
  tf: TfModule;
  /** The backend tfjs reports as active (`tensorflow`, `wasm` or `cpu`). */
  backend: string;
  /**
   * Set when `@tensorflow/tfjs-node` is installed but failed to load (e.g. its libtensorflow is missing), so the
   * caller can tell the operator why training runs on the slower cpu backend. Absent when it is simply not installed.
   */
  nativeError?: string;
}

// Module names live in variables so tsc does not try to resolve packages that are deliberately not dependencies
// (tfjs-node cannot be installed offline; see DESIGN.md "Dependencies and this environment").
const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';

interface BaseState {
  tf: TfModule;
  hasNative: boolean;
  nativeError?: string;
}

let basePromise: Promise<BaseState> | undefined;
/** Serialises backend switches: tfjs has one global engine, so two concurrent switches would race. */
let switchChain: Promise<unknown> = Promise.resolve();
let wasmRegistered = false;
/** The backend this module last activated; undefined until the first call. */
let active: TfBackendName | undefined;

function isTfModule(value: unknown): value is TfModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { setBackend?: unknown }).setBackend === 'function' &&
    typeof (value as { tensor?: unknown }).tensor === 'function'
  );
}

function isModuleNotFound(err: unknown, name: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : '';
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(name);
}

/** Imports an optional package; `undefined` when it is not installed, an Error when it is installed but broken. */
async function importOptional(name: string): Promise<{ mod?: unknown; error?: Error }> {
  try {
    const mod: unknown = await import(name);
    return { mod };
  } catch (err: unknown) {
    if (isModuleNotFound(err, name)) return {};
    return { error: err instanceof Error ? err : new Error(String(err)) };
  }
}

/** A CommonJS package imported from ESM may expose its exports on `default`; accept either shape. */
function pickTf(mod: unknown): TfModule | undefined {
  if (isTfModule(mod)) return mod;
  const def = typeof mod === 'object' && mod !== null ? (mod as { default?: unknown }).default : undefined;
  return isTfModule(def) ? def : undefined;
}

async function loadBase(): Promise<BaseState> {
  const native = await importOptional(TFJS_NODE);
  const nativeTf = native.mod === undefined ? undefined : pickTf(native.mod);
  if (nativeTf !== undefined) return { tf: nativeTf, hasNative: true };
  const tf: TfModule = await import('@tensorflow/tfjs');
  const state: BaseState = { tf, hasNative: false };
  if (native.error !== undefined) state.nativeError = native.error.message;
  else if (native.mod !== undefined) state.nativeError = `${TFJS_NODE} loaded but does not look like tfjs`;
  return state;
}

/**
 * Activates a backend with tfjs's console warnings suppressed for the first tensor only: the cpu backend prints a
 * "use tfjs-node" banner on its first write, which is noise here because tfjs-node is used whenever it is installed.
 * PROD is restored afterwards so every other tfjs warning still reaches the console.
 */
async function activate(tf: TfModule, name: TfBackendName): Promise<void> {
  const env = tf.env();
  const prevProd = env.getBool('PROD');
  env.set('PROD', true);
  try {
    const ok = await tf.setBackend(name);
    if (!ok) throw new FedriskError('FAILED_PRECONDITION', `tfjs backend ${name} failed to initialise`, { backend: name });
    await tf.ready();
    tf.tensor1d([0]).dispose(); // first write happens now, while warnings are muted
  } finally {
    env.set('PROD', prevProd);
  }
}

async function select(base: BaseState, wanted: TfBackendName | undefined): Promise<LoadedTf> {
  const { tf } = base;
  // Without a forced choice, keep whatever is already active: a bench forces wasm once and then every
  // trainLogistic call (which asks without options) must train on wasm rather than switch back.
  const target: TfBackendName = wanted ?? active ?? (base.hasNative ? 'tensorflow' : 'cpu');
  if (target === 'tensorflow' && !base.hasNative) {
    throw new FedriskError(
      'FAILED_PRECONDITION',
      `tfjs backend tensorflow requested but ${TFJS_NODE} is not available${base.nativeError ? `: ${base.nativeError}` : ''}`,
      { backend: target },
    );
  }
  if (target === 'wasm' && !wasmRegistered) {
    const wasm = await importOptional(TFJS_WASM);
    if (wasm.mod === undefined) {
      throw new FedriskError(
        'FAILED_PRECONDITION',
        `tfjs backend wasm requested but ${TFJS_WASM} is ${wasm.error ? `broken: ${wasm.error.message}` : 'not installed'}`,
        { backend: target },
      );
    }
    wasmRegistered = true;
  }
  if (active !== target) {
    await activate(tf, target);
    active = target;
  }
  const out: LoadedTf = { tf, backend: tf.getBackend() };
  if (base.nativeError !== undefined) out.nativeError = base.nativeError;
  return out;
}

/**
 * The one way training code obtains tfjs. The package import happens once per process (tfjs keeps one global engine,
 * and importing it twice is slow and registers kernels twice). The first call picks the backend; later calls without
 * options keep it, and only a forced `backend` switches. Prefers the native `tensorflow` backend when
 * `@tensorflow/tfjs-node` is installed, otherwise the pure-JS `cpu` backend: for our models (30 weights) the time goes into per-op dispatch, not arithmetic, and wasm measured no
 * faster than cpu (simulations/bench/train-bench.ts), so it is not worth a dependency.
 */
export function loadTf(options: LoadTfOptions = {}): Promise<LoadedTf> {
  basePromise ??= loadBase().catch((err: unknown) => {
    basePromise = undefined; // let a later call retry instead of caching the failure forever
    throw err;
  });
  const base = basePromise;
  const next = switchChain.then(async () => select(await base, options.backend));
  switchChain = next.catch(() => undefined);
  return next;
}
