/**
 * The reference for `bench:decision`: an express app that parses the same JSON body (same 64 KB limit) and echoes it,
 * nothing else. The ratio against it shows what the decision pipeline costs on top of HTTP + JSON on this machine.
 */
import express from 'express';

const app = express();
app.use(express.json({ limit: '64kb' }));
app.post('/v1/applications', (req, res) => {
  res.status(201).json(req.body as unknown);
});
const server = app.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr && typeof addr === 'object') process.stdout.write(`listening on http://127.0.0.1:${addr.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
