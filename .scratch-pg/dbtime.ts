import pg from 'pg';
import { sharedPgServer } from '../test/support/pg-server.js';
const s = await sharedPgServer();
const c = new pg.Client({ connectionString: s.connectionString }); await c.connect();
const acc: Record<string, number[]> = { WAL_LOG: [], FILE_COPY: [] };
for (let i = 0; i < 10; i++) for (const strat of ['WAL_LOG', 'FILE_COPY']) {
  const t = performance.now();
  await c.query(`CREATE DATABASE x_${strat.toLowerCase()}_${i} STRATEGY ${strat}`);
  acc[strat]!.push(performance.now() - t);
}
for (const [k, v] of Object.entries(acc)) { v.sort((a, b) => a - b); console.log(k, 'median', v[5]!.toFixed(0), 'min', v[0]!.toFixed(0), 'max', v[9]!.toFixed(0)); }
await c.end(); await s.stop();
