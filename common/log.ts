/**
 * A small structured logger (one JSON object per line on stderr). Keys that look like secrets or PII are redacted
 * before anything is written, so a careless `log.info('joined', req)` cannot leak a join token or an ID number.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const REDACT = /(token|secret|password|key|authorization|idnumber|phone|bankcard|idcard)$/i;
const ALLOWED = new Set(['keyEpoch', 'key_epoch', 'keyFingerprint', 'publicKey']);

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  sink?: (line: string) => void;
  base?: Record<string, unknown>;
}

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { error: value.message, code: (value as { code?: unknown }).code };
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = REDACT.test(k) && !ALLOWED.has(k) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const sink = options.sink ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = options.base ?? {};
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (ORDER[lvl] < ORDER[level]) return;
    const record = { t: new Date().toISOString(), level: lvl, msg, ...(redact(base) as object), ...(redact(fields ?? {}) as object) };
    sink(JSON.stringify(record));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ level, sink, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything: the default for library code and tests. */
export const silentLogger: Logger = createLogger({ sink: () => undefined });
