#!/usr/bin/env node
// The one `fedrisk` binary. The code base is TypeScript run through tsx (no build step): register it, then hand over.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./fedrisk-main.ts');
process.exitCode = await main(process.argv.slice(2));
