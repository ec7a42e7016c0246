import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { type Dispatcher, Pool } from 'undici';
import { argValue } from './env.ts';

/**
 * The floor for a Node reverse proxy: node:http in, undici Pool out, bodies streamed both ways, the same
 * pool size and hop-by-hop handling a real proxy needs — and nothing else (no auth, limits, metering, logs).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
]);

const upstream = new Pool(argValue('upstream'), { connections: 256 });

const server = createServer(async (req, res) => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'host') headers[name] = value;
  }
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
  try {
    const response = await upstream.request({
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      path: req.url ?? '/',
      headers,
      body: hasBody ? req : null,
    });
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
    }
    res.writeHead(response.statusCode, out);
    await pipeline(response.body, res);
  } catch {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(argValue('port')), '127.0.0.1', () => {
  process.stdout.write('ready\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
