import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db } from '@portcullis/db';
import { ensureDatabase, migrate } from '@portcullis/db/migrate';
import { usageStreamKeys } from '@portcullis/usage/stream';
import { Redis } from 'ioredis';
import { allowUpstreamHosts, seedConsumerWithKey, seedProviderWithApi } from '../test/fixtures.ts';
import { type AiBenchResult, runAiBench } from './ai.ts';
import { readBenchEnv } from './env.ts';
import { hasCommand, type LoadSpec, runAutocannon, runLatencyProbe, runWrk } from './load.ts';
import { type MeteringBenchResult, runMeteringBench } from './metering.ts';
import { BARE_AGAIN, type BenchMeta, type TargetResult, writeResults } from './report.ts';
import {
  GATEWAY_CAPPED_NODE_FLAGS,
  GATEWAY_NODE_FLAGS,
  REPO_ROOT,
  type RunningProcess,
  startBareProxy,
  startGateway,
  startMetering,
  startNginx,
  startUpstream,
} from './targets.ts';

/**
 * `npm run bench`: the same load against a bare undici proxy, the gateway (everything on) and nginx,
 * each a separate process proxying to one fixed-response upstream process. See bench/README section in
 * the root README for the method.
 */
const env = readBenchEnv();
const resultsDir = join(REPO_ROOT, 'bench-results');
const pinned = availableParallelism() >= 2 && hasCommand('taskset');
// Target on CPU 1; load generator and upstream on CPU 0 (Redis/Postgres are not pinned).
const targetPin = pinned ? ['taskset', '-c', '1'] : [];
const helperPin = pinned ? ['taskset', '-c', '0'] : [];
const useWrk = env.BENCH_LOADGEN === 'wrk' || (env.BENCH_LOADGEN === 'auto' && hasCommand('wrk'));
const drive = (spec: LoadSpec) => (useWrk ? runWrk(spec) : runAutocannon(spec));
const wanted = new Set(env.BENCH_TARGETS.split(',').map((t) => t.trim()));

/** utime + stime of a process, in seconds (clock ticks are 100 Hz on Linux). */
async function readCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Warm-up, then the measured run while sampling the server's RSS every 250 ms. */
async function measure(
  name: string,
  server: RunningProcess,
  path: string,
  headers: Record<string, string>,
): Promise<TargetResult> {
  const check = await fetch(`${server.url}${path}`, { headers });
  const checkBody = await check.text();
  if (check.status !== 200) throw new Error(`${name}: sanity request answered ${check.status}: ${checkBody}`);
  const spec: LoadSpec = {
    url: `${server.url}${path}`,
    headers,
    connections: env.BENCH_CONNECTIONS,
    durationS: env.BENCH_WARMUP_S,
    pin: helperPin,
  };
  if (env.BENCH_WARMUP_S > 0) await drive(spec);
  let peakRssBytes = await readRss(server.pid);
  const cpuBefore = await readCpuSeconds(server.pid);
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakRssBytes = Math.max(peakRssBytes, await readRss(server.pid));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  const result = await drive({ ...spec, durationS: env.BENCH_DURATION_S }).finally(() => {
    sampling = false;
  });
  await sampler;
  const cpuPercent = (100 * ((await readCpuSeconds(server.pid)) - cpuBefore)) / env.BENCH_DURATION_S;
  const latency = await runLatencyProbe({
    ...spec,
    durationS: env.BENCH_DURATION_S,
    rate: env.BENCH_LATENCY_RATE,
  });
  process.stdout.write(
    `${name}: ${result.requestsPerSec.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
      `RSS ${(peakRssBytes / 1024 / 1024).toFixed(1)} MB, CPU ${cpuPercent.toFixed(0)}%, errors ${result.errors}; ` +
      `at ${latency.rate} req/s: p50 ${latency.p50Ms.toFixed(3)} ms, p99 ${latency.p99Ms.toFixed(3)} ms\n`,
  );
  return { target: name, ...result, peakRssBytes, cpuPercent, latency };
}

/** The worker deletes stream entries only after their Postgres commit: empty streams = all metered. */
async function waitStreamsDrained(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const lengths = await Promise.all(usageStreamKeys(prefix).map((key) => redis.xlen(key)));
      if (lengths.every((n) => n === 0) || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    redis.disconnect();
  }
}

async function seed(db: Db, upstreamUrl: string) {
  const upstreamHost = new URL(upstreamUrl).host;
  await allowUpstreamHosts(db, [upstreamHost]);
  // Limits high enough that nothing is refused: every request runs the full Lua check and meters usage.
  const provider = await seedProviderWithApi(db, {
    upstreamUrl,
    rateLimit: 1_000_000_000,
    rateLimitWindowSeconds: 60,
    monthlyQuota: 2_000_000_000,
    requiresApproval: false,
  });
  const consumer = await seedConsumerWithKey(db, provider.plan.id);
  return { path: `/${provider.org.slug}/${provider.api.slug}/items`, key: consumer.plaintext, consumer };
}

async function main(): Promise<void> {
  const results: TargetResult[] = [];
  const skipped: string[] = [];
  process.stdout.write(`load generator: ${useWrk ? 'wrk' : 'autocannon'}; pinning: ${pinned}\n`);
  const upstream = await startUpstream(helperPin);
  let db: Db | undefined;
  let ai: AiBenchResult | undefined;
  try {
    if (wanted.has('bare')) {
      const bare = await startBareProxy(targetPin, upstream.url);
      try {
        results.push(await measure('bare-proxy', bare, '/items', {}));
      } finally {
        await bare.stop();
      }
    }
    if (wanted.has('floor')) {
      const floor = await startBareProxy(targetPin, upstream.url, env.REDIS_URL);
      try {
        results.push(await measure('bare-proxy + Redis INCR/XADD', floor, '/items', {}));
      } finally {
        await floor.stop();
      }
    }
    if (wanted.has('gateway')) {
      execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/build-gateway.ts')], {
        stdio: 'inherit',
      });
      await ensureDatabase(env.DATABASE_URL);
      await migrate(env.DATABASE_URL);
      db = createDb(env.DATABASE_URL, 2);
      const seeded = await seed(db, upstream.url);
      const redisKeyPrefix = `portcullis-bench:${randomBytes(4).toString('hex')}:`;
      const metering = await startMetering(helperPin, {
        databaseUrl: env.DATABASE_URL,
        redisUrl: env.REDIS_URL,
        redisKeyPrefix,
      });
      const variants = [
        { name: 'gateway', nodeFlags: GATEWAY_NODE_FLAGS },
        { name: 'gateway (old space capped at 256 MB)', nodeFlags: GATEWAY_CAPPED_NODE_FLAGS },
      ];
      try {
        for (const variant of variants) {
          const gateway = await startGateway(targetPin, {
            databaseUrl: env.DATABASE_URL,
            redisUrl: env.REDIS_URL,
            redisKeyPrefix,
            nodeFlags: variant.nodeFlags,
            ...(env.BENCH_CPU_PROF && variant.name === 'gateway' ? { cpuProfileDir: resultsDir } : {}),
          });
          try {
            results.push(
              await measure(variant.name, gateway, seeded.path, { authorization: `Bearer ${seeded.key}` }),
            );
          } finally {
            await gateway.stop();
          }
        }
      } finally {
        await waitStreamsDrained(env.REDIS_URL, redisKeyPrefix);
        await metering.stop();
        const { RedisLimitStore } = await import('../apps/gateway/src/limits/redis.ts');
        const store = new RedisLimitStore({ url: env.REDIS_URL, keyPrefix: redisKeyPrefix });
        await store.deleteNamespace();
        await store.close();
      }
      const rollups = await db.usageRollup.findMany({
        where: { subscriptionId: seeded.consumer.subscription.id },
      });
      const metered = rollups.reduce((sum, r) => sum + r.requests, 0n);
      process.stdout.write(`gateway metered ${metered} requests into Postgres (warm-up + run + check)\n`);
    }
    if (wanted.has('bare') && wanted.has('gateway')) {
      // The same bare proxy again, minutes later: how far this machine moves between two identical runs.
      const again = await startBareProxy(targetPin, upstream.url);
      try {
        results.push(await measure(BARE_AGAIN, again, '/items', {}));
      } finally {
        await again.stop();
      }
    }
    if (wanted.has('ai')) {
      process.stdout.write('ai: streamed chat completions direct vs through the gateway vs Portkey…\n');
      if (!wanted.has('gateway')) {
        execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/build-gateway.ts')], {
          stdio: 'inherit',
        });
      }
      await ensureDatabase(env.DATABASE_URL);
      await migrate(env.DATABASE_URL);
      db ??= createDb(env.DATABASE_URL, 2);
      ai = await runAiBench({
        db,
        databaseUrl: env.DATABASE_URL,
        redisUrl: env.REDIS_URL,
        targetPin,
        helperPin,
        log: (line) => process.stdout.write(`  ${line}\n`),
      });
    }
    if (wanted.has('nginx')) {
      if (!hasCommand('nginx')) skipped.push('nginx (not installed: apt-get install -y nginx)');
      else {
        const nginx = await startNginx(targetPin, upstream.url);
        try {
          results.push(await measure('nginx', nginx, '/items', {}));
        } finally {
          await nginx.stop();
        }
      }
    }
  } finally {
    await upstream.stop();
    await db?.$disconnect();
  }
  let metering: MeteringBenchResult | undefined;
  if (wanted.has('metering')) {
    process.stdout.write('metering: one worker ingesting usage events from Redis streams into Postgres…\n');
    metering = await runMeteringBench({
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      log: (line) => process.stdout.write(`  ${line}\n`),
    });
  }
  if (!useWrk) skipped.push('wrk (not installed: autocannon used instead)');
  const meta: BenchMeta = {
    connections: env.BENCH_CONNECTIONS,
    durationS: env.BENCH_DURATION_S,
    warmupS: env.BENCH_WARMUP_S,
    pinned,
    skipped,
    ...(metering ? { metering } : {}),
    ...(ai ? { ai } : {}),
  };
  process.stdout.write(`\n${writeResults(resultsDir, results, meta)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
