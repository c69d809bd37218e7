#!/usr/bin/env node
// Regenerates protos/generated (TypeScript types for the .proto contracts) with the same options the runtime loader
// uses (protos/load-protos.ts): camelCase fields, 64-bit integers as numbers, enums as strings, defaults, oneofs.
import { spawnSync } from 'node:child_process';
const root = new URL('..', import.meta.url).pathname;
const files = ['fedrisk/membership/v1/membership.proto', 'fedrisk/training/v1/training.proto'];
const bin = `${root}node_modules/.bin/proto-loader-gen-types`;
const args = ['--grpcLib=@grpc/grpc-js', '--outDir=protos/generated', '--longs=Number', '--enums=String', '--defaults', '--oneofs', '--includeComments', ...files, '--includeDirs', 'protos'];
const res = spawnSync(bin, args, { cwd: root, stdio: 'inherit' });
process.exit(res.status ?? 1);
