import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Redis } from 'ioredis';
import { type Dispatcher, Pool } from 'undici';
import { argValue } from './env.ts';

/**
 * The floor for a Node reverse proxy: node:http in, undici Pool out, bodies streamed both ways, the same
 * pool size and hop-by-hop handling a real proxy needs — and nothing else (no auth, limits, metering, logs).
 *
 * With `--redis=<url>` it is the floor for a proxy with Redis-backed limits and metering: one INCR before
 * forwarding (what any exact shared counter costs at least) and one XADD after the response, both
 * auto-pipelined — still no auth, no policy, no logs.
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
const redisUrl = process.argv.find((a) => a.startsWith('--redis='))?.slice('--redis='.length);
const redis = redisUrl ? new Redis(redisUrl, { enableAutoPipelining: true }) : null;
const prefix = `portcullis-bench-floor:${process.pid}:`;

const server = createServer(async (req, res) => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'host') headers[name] = value;
  }
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
  try {
    if (redis) await redis.incr(`${prefix}count`);
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
    if (redis)
      void redis.xadd(`${prefix}usage`, 'MAXLEN', '~', '10000', '*', 'e', '1').catch(() => undefined);
  } catch {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(argValue('port')), '127.0.0.1', () => {
  process.stdout.write('ready\n');
});
process.on('SIGTERM', () =>
  server.close(async () => {
    await redis?.del(`${prefix}count`, `${prefix}usage`);
    process.exit(0);
  }),
);
