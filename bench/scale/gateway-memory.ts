/**
 * Gateway memory against the number of consumer keys, for the data-scale benchmark.
 *
 * Contract (what bench/scale's driver calls; nothing else of this file is meant to be imported):
 *
 *   import { measureGatewayMemory } from './gateway-memory.ts';
 *   const result = await measureGatewayMemory({ keys: 100_000, unknownKeys: 50_000 });
 *
 * It creates a scratch database next to `databaseUrl` (default: the bench's DATABASE_URL, with
 * `_gateway_memory` appended to its name), migrates it and seeds one published API with one plan and
 * `keys` consumer apps, each with an ACTIVE subscription and one API key (100 apps per consumer org). It
 * builds the gateway and runs it as it ships (`node --max-semi-space-size=8 apps/gateway/dist/main.mjs`,
 * or with `nodeFlags`, one process, access log on) with the fixed-response bench upstream, touches every key once, then sends
 * `unknownKeys` well-formed keys that do not exist, and stops everything and drops the scratch database.
 * With `redisUrl` (default the bench's REDIS_URL) the gateway runs in Redis mode under a unique key
 * prefix, deleted afterwards; `redisUrl: null` runs the embedded in-memory mode.
 *
 * RSS is read from /proc (Linux): `rssBeforeBytes` once the gateway has answered one request,
 * `rssAfterKeysBytes` after the known keys, `rssAfterBytes` after the unknown ones as well,
 * `rssSettledBytes` after `settleMs` without traffic, and `peakRssBytes` the highest value sampled every
 * 250 ms throughout. `cacheBytes` is the gateway's own count of its config caches (the
 * `gateway_cache_bytes` gauge on /metrics) and `heapUsedBytes` V8's heap in use, both at the end.
 *
 * Run on its own: `npx tsx bench/scale/gateway-memory.ts [--keys=N] [--unknown-keys=N] [--capped]`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateApiKey } from '@portcullis/core/keys';
import { ensureDatabase, migrate } from '@portcullis/db/migrate';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Pool } from 'undici';
import { readBenchEnv } from '../env.ts';
import {
  freePort,
  GATEWAY_CAPPED_NODE_FLAGS,
  GATEWAY_NODE_FLAGS,
  GATEWAY_PROCESS_ENV,
  REPO_ROOT,
  type RunningProcess,
  startProcess,
  startUpstream,
} from '../targets.ts';

/** @public what the data-scale benchmark passes or gets back */
export interface GatewayMemoryOptions {
  /** distinct existing keys, each touched once */
  keys: number;
  /** distinct well-formed keys that do not exist, each sent once after the known ones */
  unknownKeys: number;
  /** the scratch database is created next to this one (default: the bench's DATABASE_URL) */
  databaseUrl?: string;
  /** Redis mode through this server (default: the bench's REDIS_URL); null: in-memory mode */
  redisUrl?: string | null;
  /** requests in flight at once (default 32) */
  concurrency?: number;
  /** extra gateway environment, e.g. cache budgets (GATEWAY_KEY_CACHE_MAX_BYTES) */
  gatewayEnv?: Record<string, string>;
  /** the gateway's Node flags (default GATEWAY_NODE_FLAGS; GATEWAY_CAPPED_NODE_FLAGS: the memory profile) */
  nodeFlags?: readonly string[];
  /** idle time after the load before rssSettledBytes is read (default 15 s) */
  settleMs?: number;
}

/** @public what the data-scale benchmark passes or gets back */
export interface GatewayMemoryResult {
  keys: number;
  unknownKeys: number;
  mode: 'redis' | 'memory';
  rssBeforeBytes: number;
  rssAfterKeysBytes: number;
  rssAfterBytes: number;
  /** after `settleMs` without traffic: what the process keeps once V8 has collected the load's garbage */
  rssSettledBytes: number;
  peakRssBytes: number;
  /** V8 heap in use at the end, after settling (nodejs_heap_size_used_bytes) */
  heapUsedBytes: number;
  /** the config caches' own byte count by cache at the end (gateway_cache_bytes) */
  cacheBytes: Record<string, number>;
  /** how the requests were answered: status → count */
  statuses: Record<string, number>;
  seedMs: number;
  touchMs: number;
}

const GATEWAY_BUNDLE = fileURLToPath(new URL('../../apps/gateway/dist/main.mjs', import.meta.url));
const APPS_PER_ORG = 100;
const SEED_CHUNK = 10_000;

/** @public the data-scale benchmark's entry point (see the top of this file) */
export async function measureGatewayMemory(options: GatewayMemoryOptions): Promise<GatewayMemoryResult> {
  const env = readBenchEnv();
  const redisUrl = options.redisUrl === undefined ? env.REDIS_URL : options.redisUrl;
  const databaseUrl = scratchDatabaseUrl(options.databaseUrl ?? env.DATABASE_URL);
  await dropDatabase(databaseUrl);
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const redisKeyPrefix = `portcullis-scale-${randomBytes(4).toString('hex')}:`;
  const upstream = await startUpstream([]);
  let gateway: RunningProcess | undefined;
  try {
    const seedStarted = performance.now();
    const seeded = await seed(databaseUrl, upstream.url, options.keys);
    const seedMs = performance.now() - seedStarted;
    gateway = await startGatewayProcess(
      databaseUrl,
      redisUrl,
      redisKeyPrefix,
      options.gatewayEnv ?? {},
      options.nodeFlags ?? GATEWAY_NODE_FLAGS,
    );
    const client = new Pool(gateway.url, { connections: options.concurrency ?? 32 });
    const statuses: Record<string, number> = {};
    const send = async (key: string) => {
      const res = await client.request({
        method: 'GET',
        path: `${seeded.path}/ping`,
        headers: { authorization: `Bearer ${key}` },
      });
      await res.body.dump();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    };
    const pid = gateway.pid;
    const first = seeded.keys[0];
    if (first !== undefined) await send(first);
    const rssBeforeBytes = await readRss(pid);
    let peakRssBytes = rssBeforeBytes;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakRssBytes = Math.max(peakRssBytes, await readRss(pid));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    const touchStarted = performance.now();
    let rssAfterKeysBytes = 0;
    try {
      await inParallel(seeded.keys, options.concurrency ?? 32, send);
      rssAfterKeysBytes = await readRss(pid);
      const unknown = Array.from({ length: options.unknownKeys }, () => generateApiKey().plaintext);
      await inParallel(unknown, options.concurrency ?? 32, send);
    } finally {
      sampling = false;
      await sampler;
    }
    const touchMs = performance.now() - touchStarted;
    const rssAfterBytes = await readRss(pid);
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 15_000));
    const rssSettledBytes = await readRss(pid);
    const { cacheBytes, heapUsedBytes } = await readGatewayMetrics(gateway.url);
    await client.close();
    return {
      keys: options.keys,
      unknownKeys: options.unknownKeys,
      mode: redisUrl ? 'redis' : 'memory',
      rssBeforeBytes,
      rssAfterKeysBytes,
      rssAfterBytes,
      rssSettledBytes,
      heapUsedBytes,
      peakRssBytes: Math.max(peakRssBytes, rssAfterBytes),
      cacheBytes,
      statuses,
      seedMs,
      touchMs,
    };
  } finally {
    await gateway?.stop();
    await upstream.stop();
    if (redisUrl) await deleteRedisNamespace(redisUrl, redisKeyPrefix);
    await dropDatabase(databaseUrl);
  }
}

function scratchDatabaseUrl(base: string): string {
  const url = new URL(base);
  url.pathname = `/${decodeURIComponent(url.pathname.slice(1))}_gateway_memory`;
  return url.toString();
}

async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** One provider org, API and plan; `keys` apps (100 per consumer org), each subscribed with one key. */
async function seed(
  databaseUrl: string,
  upstreamUrl: string,
  keys: number,
): Promise<{ path: string; keys: string[] }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "UpstreamAllowedHost" (id, host, "allTenants", "updatedAt") VALUES ('gm_host', '127.0.0.1', true, now())`,
    );
    await client.query(
      `INSERT INTO "Organization" (id, slug, name, "updatedAt") VALUES ('gm_prov', 'gm-prov', 'Provider', now())`,
    );
    await client.query(
      `INSERT INTO "Api" (id, "orgId", slug, name, "upstreamUrl", status, visibility, "publishedAt", "updatedAt")
       VALUES ('gm_api', 'gm_prov', 'echo', 'Echo', $1, 'PUBLISHED', 'PUBLIC', now(), now())`,
      [upstreamUrl],
    );
    // Limits high enough that nothing is refused: every request runs the whole limit check.
    await client.query(
      `INSERT INTO "Plan" (id, "apiId", name, "rateLimit", "rateLimitWindowSeconds", "monthlyQuota", "requiresApproval", "updatedAt")
       VALUES ('gm_plan', 'gm_api', 'Basic', 1000000000, 60, 2000000000, false, now())`,
    );
    await client.query(
      `INSERT INTO "Organization" (id, slug, name, "updatedAt")
       SELECT 'gm_org_' || n, 'gm-cons-' || n, 'Consumer ' || n, now()
       FROM generate_series(0, $1::int - 1) AS n`,
      [Math.ceil(keys / APPS_PER_ORG)],
    );
    await client.query(
      `INSERT INTO "App" (id, "orgId", name, "updatedAt")
       SELECT 'gm_app_' || n, 'gm_org_' || (n / $2::int), 'app ' || n, now()
       FROM generate_series(0, $1::int - 1) AS n`,
      [keys, APPS_PER_ORG],
    );
    await client.query(
      `INSERT INTO "Subscription" (id, "appId", "planId", status, "updatedAt")
       SELECT 'gm_sub_' || n, 'gm_app_' || n, 'gm_plan', 'ACTIVE', now()
       FROM generate_series(0, $1::int - 1) AS n`,
      [keys],
    );
    const plaintexts: string[] = [];
    for (let from = 0; from < keys; from += SEED_CHUNK) {
      const generated = Array.from({ length: Math.min(SEED_CHUNK, keys - from) }, () => generateApiKey());
      await client.query(
        `INSERT INTO "ApiKey" (id, "appId", name, hash, prefix, last4)
         SELECT 'gm_key_' || n, 'gm_app_' || n, 'scale', k.hash, k.prefix, k.last4
         FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(hash, prefix, last4, i),
           LATERAL (SELECT $4::int + k.i::int - 1 AS n) AS ordinal`,
        [generated.map((k) => k.hash), generated.map((k) => k.prefix), generated.map((k) => k.last4), from],
      );
      for (const key of generated) plaintexts.push(key.plaintext);
    }
    return { path: '/gm-prov/echo', keys: plaintexts };
  } finally {
    await client.end();
  }
}

async function startGatewayProcess(
  databaseUrl: string,
  redisUrl: string | null,
  redisKeyPrefix: string,
  extraEnv: Record<string, string>,
  nodeFlags: readonly string[],
): Promise<RunningProcess> {
  execFileSync('npm', ['run', 'build', '-w', '@portcullis/gateway'], { cwd: REPO_ROOT, stdio: 'ignore' });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess('gateway-memory', [process.execPath, ...nodeFlags, GATEWAY_BUNDLE], {
    env: {
      DATABASE_URL: databaseUrl,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      GATEWAY_REDIS_KEY_PREFIX: redisKeyPrefix,
      GATEWAY_PORT: String(port),
      GATEWAY_WORKERS: '1',
      GATEWAY_LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...GATEWAY_PROCESS_ENV,
      ...extraEnv,
    },
    ready: () =>
      fetch(`${url}/readyz`).then(
        (res) => res.ok,
        () => false,
      ),
    url,
  });
}

async function inParallel<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** gateway_cache_bytes{cache="…"} and nodejs_heap_size_used_bytes from the gateway's /metrics. */
async function readGatewayMetrics(gatewayUrl: string) {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const cacheBytes: Record<string, number> = {};
  for (const match of text.matchAll(/^gateway_cache_bytes\{cache="([^"]+)"\} (\S+)$/gm)) {
    cacheBytes[match[1] as string] = Number(match[2]);
  }
  const heapUsedBytes = Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
  return { cacheBytes, heapUsedBytes };
}

async function deleteRedisNamespace(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) await redis.unlink(...found);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const numberArg = (name: string, fallback: number) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const result = await measureGatewayMemory({
    keys: numberArg('keys', 100_000),
    unknownKeys: numberArg('unknown-keys', 50_000),
    ...(process.argv.includes('--capped') ? { nodeFlags: GATEWAY_CAPPED_NODE_FLAGS } : {}),
  });
  process.stdout.write(
    `${result.keys} keys + ${result.unknownKeys} unknown keys (${result.mode} mode): RSS ${mb(result.rssBeforeBytes)} → ` +
      `${mb(result.rssAfterKeysBytes)} after the keys → ${mb(result.rssAfterBytes)} after the unknown keys ` +
      `→ ${mb(result.rssSettledBytes)} settled (peak ${mb(result.peakRssBytes)}, heap used ` +
      `${mb(result.heapUsedBytes)}); caches ${JSON.stringify(result.cacheBytes)}; ` +
      `answers ${JSON.stringify(result.statuses)}; seeded in ${(result.seedMs / 1000).toFixed(1)} s, ` +
      `touched in ${(result.touchMs / 1000).toFixed(1)} s\n`,
  );
}
