#!/usr/bin/env node
// The npm registry reachable here serves only the linux-x64 builds of @gorules/zen-engine's optional platform
// packages, so `npm install` writes a lock without the others and `npm ci` then refuses the lock ("Missing ... from
// lock file"). This adds platform-tagged stub entries for them (npm skips them on any other platform, so nothing is
// fetched). Run it after any `npm install` that rewrites package-lock.json.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const base = lock.packages['node_modules/@gorules/zen-engine'];
if (!base) throw new Error('@gorules/zen-engine is not in the lock');
const platforms = {
  'darwin-arm64': { cpu: ['arm64'], os: ['darwin'] },
  'darwin-x64': { cpu: ['x64'], os: ['darwin'] },
  'linux-arm64-gnu': { cpu: ['arm64'], libc: ['glibc'], os: ['linux'] },
  'linux-arm64-musl': { cpu: ['arm64'], libc: ['musl'], os: ['linux'] },
  'wasm32-wasi': { cpu: ['wasm32'] },
  'win32-x64-msvc': { cpu: ['x64'], os: ['win32'] },
};
const out = {};
let added = 0;
for (const [key, value] of Object.entries(lock.packages)) {
  out[key] = value;
  if (key === 'node_modules/@gorules/zen-engine-linux-x64-musl') {
    for (const [name, tags] of Object.entries(platforms)) {
      const k = `node_modules/@gorules/zen-engine-${name}`;
      if (lock.packages[k]) continue;
      out[k] = { version: base.version, cpu: tags.cpu, ...(tags.libc ? { libc: tags.libc } : {}), license: 'MIT', optional: true, ...(tags.os ? { os: tags.os } : {}), engines: { node: '>= 14' } };
      added++;
    }
  }
}
lock.packages = out;
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`lock-optional-platforms: added ${added} stub entr${added === 1 ? 'y' : 'ies'}`);
