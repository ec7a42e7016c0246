import { createServer } from 'node:http';
import { argValue } from './env.ts';

// The fixed-response upstream every target proxies to: small JSON, keep-alive, no work.
const body = JSON.stringify({ ok: true, service: 'bench-upstream', items: [1, 2, 3] });
const length = Buffer.byteLength(body);

const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(argValue('port')), '127.0.0.1', () => {
  process.stdout.write('ready\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
