/**
 * A second, stricter reference for `bench:decision`: plain node:http (no express) reading the same JSON body (same
 * 64 KB limit), parsing it and echoing it. The decision service serves POST /v1/applications on node:http too (its
 * fast lane), so the ratio against this echo shows what the pipeline itself costs, with no framework on either side.
 */
import { createServer } from 'node:http';

const LIMIT = 64 * 1024;

const server = createServer((req, res) => {
  if (req.method !== 'POST' || !req.url?.startsWith('/v1/applications')) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= LIMIT) chunks.push(c);
  });
  req.on('end', () => {
    if (size > LIMIT) {
      res.writeHead(413).end();
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(201, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr && typeof addr === 'object') process.stdout.write(`listening on http://127.0.0.1:${addr.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
