/**
 * DESIGN promise 1, enforced by structure: nothing the coordinator imports (transitively, within this repository)
 * can generate, hold or use a CKKS secret key, and no coordinator module reaches into node/ or decision/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT_RE = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

function resolveImport(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const cand of [base.replace(/\.js$/, '.ts'), base + '.ts', join(base, 'index.ts'), base]) {
    if (existsSync(cand) && statSync(cand).isFile()) return cand;
  }
  return null;
}

/** Every repository file reachable from `entries` through relative imports (runtime and type-only alike). */
function closure(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = (m[1] ?? m[2])!;
      const target = resolveImport(file, spec);
      // An import the walk cannot follow would hide what lies behind it: fail loudly instead.
      if (!target) throw new Error(`cannot resolve ${spec} from ${relative(ROOT, file)}`);
      stack.push(target);
    }
  }
  return seen;
}

const coordinatorFiles = sourceFiles(join(ROOT, 'coordinator'));
const reachable = [...closure(coordinatorFiles)].map((f) => relative(ROOT, f));

test('the coordinator never imports the secret side of the HE wrapper', () => {
  const secret = reachable.filter((f) => /common\/he\/ckks-keys/.test(f));
  assert.deepEqual(secret, [], `coordinator reaches ${secret.join(', ')}`);
  const text = reachable.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
  for (const word of ['Decryptor', 'KeyGenerator', 'secretKey(', 'CkksCipher', 'generateSecretKey', 'openSealed']) {
    assert.ok(!text.includes(word), `coordinator code mentions ${word}`);
  }
});

test('the coordinator depends on neither node/ nor decision/', () => {
  const bad = reachable.filter((f) => f.startsWith('node/') || f.startsWith('decision/') || f.startsWith('simulations/'));
  assert.deepEqual(bad, []);
});

test('decision/ depends on neither node/ nor coordinator/', () => {
  const files = [...closure(sourceFiles(join(ROOT, 'decision')))].map((f) => relative(ROOT, f));
  const bad = files.filter((f) => f.startsWith('node/') || f.startsWith('coordinator/') || f.startsWith('simulations/'));
  assert.deepEqual(bad, []);
});

test('common/ and protos/ depend on no part above them', () => {
  const files = [...closure([...sourceFiles(join(ROOT, 'common')), ...sourceFiles(join(ROOT, 'protos'))])].map((f) => relative(ROOT, f));
  const bad = files.filter((f) => !f.startsWith('common/') && !f.startsWith('protos/'));
  assert.deepEqual(bad, []);
});

test('the coordinator store has no place for a key or a plaintext model', () => {
  const migrations = reachable.filter((f) => f.includes('migrations/')).map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
  assert.ok(migrations.length > 0);
  for (const col of ['secret', 'private_key', 'weights', 'plaintext']) assert.ok(!migrations.includes(`'${col}`), `column like ${col}`);
});

test('node/ depends on neither coordinator/ nor simulations/', () => {
  const files = [...closure(sourceFiles(join(ROOT, 'node')))].map((f) => relative(ROOT, f));
  const bad = files.filter((f) => f.startsWith('coordinator/') || f.startsWith('simulations/'));
  assert.deepEqual(bad, [], `node/ reaches ${bad.join(', ')}`);
});

test('protos/ imports nothing outside protos/', () => {
  const files = [...closure(sourceFiles(join(ROOT, 'protos')))].map((f) => relative(ROOT, f));
  const bad = files.filter((f) => !f.startsWith('protos/'));
  assert.deepEqual(bad, [], `protos/ reaches ${bad.join(', ')}`);
});
