import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createDb, type Db } from '@portcullis/db';
import { type ConfigChange, configNotifySql } from '@portcullis/db/notify';
import { request } from 'undici';
import { readGatewayEnv } from '../src/env.ts';
import { silentLogger } from '../src/log.ts';
import { type GatewayOptions, type RunningGateway, startGateway } from '../src/server.ts';
import { startTestMetering } from './metering-worker.ts';

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
  body: string;
  /** performance.now() when the request head arrived / when the response was fully written. */
  receivedAt: number;
  finishedAt?: number;
}

export interface TestUpstream {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export const MB = 1024 * 1024;

/** Generates `total` bytes lazily in 64 KiB chunks: nothing large is ever held in memory. */
export function lazyBytes(total: number): Readable {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const size = Math.min(chunk.length, total - sent);
      sent += size;
      this.push(size === chunk.length ? chunk : chunk.subarray(0, size));
    },
  });
}

/**
 * A local upstream: echoes what it received as JSON, and has a few special paths —
 * `/download?bytes=N` streams N bytes, `/slow` answers after 3 s, `/status/N` answers N, `/break` sends
 * a head and part of its declared body, then drops the connection.
 */
export async function startUpstream(): Promise<TestUpstream> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    const record: SeenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      bodyBytes: 0,
      body: '',
      receivedAt: performance.now(),
    };
    res.once('finish', () => {
      record.finishedAt = performance.now();
    });
    seen.push(record);
    if (url.pathname.endsWith('/download')) {
      const total = Number(url.searchParams.get('bytes'));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      lazyBytes(total).pipe(res);
      return;
    }
    if (url.pathname.endsWith('/break')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 100_000 });
      res.write(Buffer.alloc(1_000, 0x62));
      setTimeout(() => res.socket?.destroy(), 50).unref();
      return;
    }
    req.on('data', (chunk: Buffer) => {
      record.bodyBytes += chunk.length;
      // Keep only a small prefix so a 50 MB upload is not retained by the test upstream.
      if (record.body.length < 1024) record.body += chunk.toString('utf8').slice(0, 1024);
    });
    req.on('end', () => {
      if (url.pathname.endsWith('/slow')) {
        setTimeout(() => res.end('late'), 3_000).unref();
        return;
      }
      const status = url.pathname.includes('/status/') ? Number(url.pathname.split('/status/')[1]) : 200;
      const body = JSON.stringify({
        method: record.method,
        url: record.url,
        bodyBytes: record.bodyBytes,
        body: record.body,
      });
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-upstream': 'yes',
        connection: 'keep-alive',
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestWorld {
  db: Db;
  gateway: RunningGateway;
  upstream: TestUpstream;
  redisKeyPrefix: string;
  /** Usage of every answered request is in Postgres (Redis mode: applied by the metering worker). */
  usageSettled(): Promise<void>;
  close(): Promise<void>;
}

export async function startWorld(opts: { redis: boolean } & Partial<GatewayOptions>): Promise<TestWorld> {
  const env = readGatewayEnv();
  const db = createDb(env.DATABASE_URL, 5);
  const upstream = await startUpstream();
  const redisKeyPrefix = `portcullis-test:${randomBytes(6).toString('hex')}:`;
  const { redis, ...overrides } = opts;
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const metering = redis
    ? await startTestMetering({ databaseUrl: env.DATABASE_URL, redisUrl, keyPrefix: redisKeyPrefix })
    : undefined;
  const gateway = await startGateway({
    databaseUrl: env.DATABASE_URL,
    redisUrl: redis ? (env.REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined,
    redisKeyPrefix,
    port: 0,
    usageFlushIntervalMs: 100,
    upstreamTimeoutMs: 1_000,
    log: silentLogger,
    ...overrides,
  });
  return {
    db,
    gateway,
    upstream,
    redisKeyPrefix,
    async usageSettled() {
      await gateway.flushUsage();
      await metering?.settled();
    },
    async close() {
      await gateway.close();
      await metering?.settled().catch(() => undefined);
      await metering?.stop();
      await upstream.close();
      if (redis) await deleteRedisNamespace(env.REDIS_URL ?? 'redis://127.0.0.1:6379', redisKeyPrefix);
      await db.$disconnect();
    },
  };
}

async function deleteRedisNamespace(url: string, prefix: string): Promise<void> {
  const { RedisLimitStore } = await import('../src/limits/redis.ts');
  const store = new RedisLimitStore({ url, keyPrefix: prefix });
  await store.deleteNamespace();
  await store.close();
}

export async function notify(db: Db, change: ConfigChange): Promise<void> {
  const { sql, args } = configNotifySql(change);
  await db.$executeRawUnsafe(sql, ...args);
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

export async function call(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<CallResult> {
  const res = await request(`${base}${path}`, {
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers ?? {},
    body: init.body ?? null,
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** Polls until `check` passes or `withinMs` runs out; returns the elapsed time. */
export async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`condition not met within ${withinMs} ms`);
}
