#!/usr/bin/env node
// Node 20's `node --test` neither expands globs nor picks up `*.test.ts` by itself: find the files here and
// hand them over explicitly, running TypeScript through tsx. Extra arguments filter by substring of the path.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['protos', 'common', 'coordinator', 'node', 'decision', 'simulations', 'test'];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.test.ts')) files.push(relative(root, full));
  }
}
for (const r of roots) {
  try { walk(join(root, r)); } catch { /* folder absent */ }
}
const filters = process.argv.slice(2);
const chosen = files.filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (chosen.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...chosen], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
