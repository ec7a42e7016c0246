import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
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
import {
  attributeProfile,
  type ProfiledRun,
  parseTraceGc,
  readCpuProfile,
  sourceMapResolver,
} from './profile.ts';
import {
  BARE_AGAIN,
  type BenchMeta,
  cpuPerRequestUs,
  FLOOR,
  GATEWAY,
  GATEWAY_CAPPED,
  GATEWAY_LOCAL_FIRST,
  GATEWAY_NO_ACCESS_LOG,
  GATEWAY_NO_LIMITS,
  type TargetResult,
  writeResults,
} from './report.ts';
import {
  GATEWAY_CAPPED_NODE_FLAGS,
  GATEWAY_NODE_FLAGS,
  type GatewayTarget,
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
 * each a separate process proxying to one fixed-response upstream process. The method: docs/benchmark.md.
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

/** When the saturation and fixed-rate runs began and ended, µs on the monotonic clock. */
interface Phases {
  saturation: { fromUs: number; toUs: number };
  fixedRate: { fromUs: number; toUs: number };
}
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Warm-up, then the measured run while sampling the server's RSS every 250 ms. */
async function measure(
  name: string,
  server: RunningProcess,
  path: string,
  headers: Record<string, string>,
  phases?: Phases,
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
  const saturationFrom = nowUs();
  const result = await drive({ ...spec, durationS: env.BENCH_DURATION_S }).finally(() => {
    sampling = false;
  });
  const saturationTo = nowUs();
  await sampler;
  const cpuPercent = (100 * ((await readCpuSeconds(server.pid)) - cpuBefore)) / env.BENCH_DURATION_S;
  const fixedRateFrom = nowUs();
  const latency = await runLatencyProbe({
    ...spec,
    durationS: env.BENCH_DURATION_S,
    rate: env.BENCH_LATENCY_RATE,
  });
  if (phases) {
    phases.saturation = { fromUs: saturationFrom, toUs: saturationTo };
    phases.fixedRate = { fromUs: fixedRateFrom, toUs: nowUs() };
  }
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

/**
 * A target once more, the same runs, under V8's CPU profiler and `--trace-gc`: its main thread's
 * self time during the saturation run split by source path (bench/profile.ts), and the GC pauses of
 * the fixed-rate run. The profile is kept in bench-results/<dirName>/ for a closer look.
 */
async function profileTarget(target: Target, dirName: string, nodeFlags: string[]): Promise<ProfiledRun> {
  const dir = join(resultsDir, dirName);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await target.start({ cpuProfileDir: dir, nodeFlags: [...nodeFlags, '--trace-gc'] });
  const phases: Phases = { saturation: { fromUs: 0, toUs: 0 }, fixedRate: { fromUs: 0, toUs: 0 } };
  let result: TargetResult;
  try {
    result = await measure(`${target.name} (profiled)`, server, target.path, target.headers, phases);
  } finally {
    await server.stop(); // the profile is written as the process exits
  }
  const cpuProfile = readCpuProfile(dir);
  // --trace-gc times are ms since the isolate started, a few ms before the profile did.
  const sinceStartMs = (us: number) => (us - cpuProfile.startTime) / 1000;
  return {
    requests: result.requestsPerSec * env.BENCH_DURATION_S,
    cpuPerRequestUs: cpuPerRequestUs(result),
    breakdown: attributeProfile(cpuProfile, sourceMapResolver(), phases.saturation),
    gc: parseTraceGc(await readFile(server.logFile, 'utf8'), {
      fromMs: sinceStartMs(phases.fixedRate.fromUs),
      toMs: sinceStartMs(phases.fixedRate.toUs),
    }),
    fixedRateS: (phases.fixedRate.toUs - phases.fixedRate.fromUs) / 1e6,
  };
}

type Seeded = { path: string; key: string; subscriptionId: string };

/** One API with its plan and a consumer key; `limits: false` seeds a plan without rate limit or quota. */
async function seedApi(
  db: Db,
  upstreamUrl: string,
  options: { limits: boolean; accuracy?: 'EXACT' | 'LOCAL_FIRST' },
): Promise<Seeded> {
  // Limits high enough that nothing is refused: every request runs the full limit check and meters usage.
  const provider = await seedProviderWithApi(db, {
    upstreamUrl,
    rateLimit: options.limits ? 1_000_000_000 : null,
    rateLimitWindowSeconds: 60,
    monthlyQuota: options.limits ? 2_000_000_000 : null,
    requiresApproval: false,
  });
  if (options.accuracy) {
    await db.api.update({ where: { id: provider.api.id }, data: { rateLimitAccuracy: options.accuracy } });
  }
  const consumer = await seedConsumerWithKey(db, provider.plan.id);
  return {
    path: `/${provider.org.slug}/${provider.api.slug}/items`,
    key: consumer.plaintext,
    subscriptionId: consumer.subscription.id,
  };
}

/** A server to measure: started afresh for each run, stopped after it. */
interface Target {
  name: string;
  /** `extra`: settings for this start only (gateway targets) */
  start(extra?: Partial<GatewayTarget>): Promise<RunningProcess>;
  path: string;
  headers: Record<string, string>;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** Each figure of a target as the median of its runs (figure by figure, so a run's outlier drops out). */
function medianOf(runs: TargetResult[]): TargetResult {
  const first = runs[0] as TargetResult;
  const m = (pick: (r: TargetResult) => number) => median(runs.map(pick));
  return {
    target: first.target,
    tool: first.tool,
    requestsPerSec: m((r) => r.requestsPerSec),
    p50Ms: m((r) => r.p50Ms),
    p99Ms: m((r) => r.p99Ms),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    peakRssBytes: m((r) => r.peakRssBytes),
    cpuPercent: m((r) => r.cpuPercent),
    cpuPerRequestUs: m((r) => cpuPerRequestUs(r)),
    runs: runs.length,
    latency: {
      rate: first.latency.rate,
      requests: m((r) => r.latency.requests),
      p50Ms: m((r) => r.latency.p50Ms),
      p99Ms: m((r) => r.latency.p99Ms),
      maxMs: m((r) => r.latency.maxMs),
      errors: runs.reduce((sum, r) => sum + r.latency.errors, 0),
    },
  };
}

async function main(): Promise<void> {
  const skipped: string[] = [];
  process.stdout.write(
    `load generator: ${useWrk ? 'wrk' : 'autocannon'}; pinning: ${pinned}; ${env.BENCH_RUNS} run(s) per target, medians reported\n`,
  );
  const upstream = await startUpstream(helperPin);
  let db: Db | undefined;
  let ai: AiBenchResult | undefined;
  const byTarget = new Map<string, TargetResult[]>();
  let metering: RunningProcess | undefined;
  let redisKeyPrefix = '';
  let meteredSubscription = '';
  let profile: { gateway: ProfiledRun; floor?: ProfiledRun } | undefined;
  try {
    const targets: Target[] = [];
    const bare = (name: string, redisUrl?: string): Target => ({
      name,
      start: (more = {}) => startBareProxy(targetPin, upstream.url, redisUrl, more),
      path: '/items',
      headers: {},
    });
    if (wanted.has('bare')) targets.push(bare('bare-proxy'));
    if (wanted.has('floor')) targets.push(bare(FLOOR, env.REDIS_URL));
    if (wanted.has('gateway')) {
      execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/build-gateway.ts')], {
        stdio: 'inherit',
      });
      await ensureDatabase(env.DATABASE_URL);
      await migrate(env.DATABASE_URL);
      db = createDb(env.DATABASE_URL, 2);
      await allowUpstreamHosts(db, [new URL(upstream.url).host]);
      const full = await seedApi(db, upstream.url, { limits: true });
      const unlimited = await seedApi(db, upstream.url, { limits: false });
      const localFirst = await seedApi(db, upstream.url, { limits: true, accuracy: 'LOCAL_FIRST' });
      meteredSubscription = full.subscriptionId;
      redisKeyPrefix = `portcullis-bench:${randomBytes(4).toString('hex')}:`;
      const gatewayEnv = { databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL, redisKeyPrefix };
      metering = await startMetering(helperPin, gatewayEnv);
      const gateway = (
        name: string,
        seeded: Seeded,
        extra: Partial<Parameters<typeof startGateway>[1]> = {},
      ): Target => ({
        name,
        start: (more = {}) =>
          startGateway(targetPin, {
            ...gatewayEnv,
            nodeFlags: GATEWAY_NODE_FLAGS,
            ...(env.BENCH_CPU_PROF && name === GATEWAY ? { cpuProfileDir: resultsDir } : {}),
            ...extra,
            ...more,
          }),
        path: seeded.path,
        headers: { authorization: `Bearer ${seeded.key}` },
      });
      targets.push(
        gateway(GATEWAY, full),
        gateway(GATEWAY_LOCAL_FIRST, localFirst),
        gateway(GATEWAY_NO_LIMITS, unlimited),
        gateway(GATEWAY_NO_ACCESS_LOG, full, { logLevel: 'warn' }),
        gateway(GATEWAY_CAPPED, full, { nodeFlags: GATEWAY_CAPPED_NODE_FLAGS }),
      );
    }
    // The same bare proxy again, after the gateways: how far this machine moves between two identical runs.
    if (wanted.has('bare') && wanted.has('gateway')) targets.push(bare(BARE_AGAIN));
    if (wanted.has('nginx')) {
      if (!hasCommand('nginx')) skipped.push('nginx (not installed: apt-get install -y nginx)');
      else
        targets.push({
          name: 'nginx',
          start: () => startNginx(targetPin, upstream.url),
          path: '/items',
          headers: {},
        });
    }
    // Round after round, every target once per round: drift over the minutes hits all of them alike.
    for (let run = 1; run <= env.BENCH_RUNS; run++) {
      process.stdout.write(`run ${run} of ${env.BENCH_RUNS}\n`);
      for (const target of targets) {
        const server = await target.start();
        try {
          const result = await measure(target.name, server, target.path, target.headers);
          byTarget.set(target.name, [...(byTarget.get(target.name) ?? []), result]);
        } finally {
          await server.stop();
        }
      }
    }
    const gatewayTarget = targets.find((t) => t.name === GATEWAY);
    const floorTarget = targets.find((t) => t.name === FLOOR);
    if (env.BENCH_PROFILE && gatewayTarget) {
      process.stdout.write('profiling (node --cpu-prof --trace-gc)\n');
      profile = {
        ...(floorTarget ? { floor: await profileTarget(floorTarget, 'floor-profile', []) } : {}),
        gateway: await profileTarget(gatewayTarget, 'gateway-profile', GATEWAY_NODE_FLAGS),
      };
    }
    if (metering) {
      await waitStreamsDrained(env.REDIS_URL, redisKeyPrefix);
      await metering.stop();
      metering = undefined;
      const { RedisLimitStore } = await import('../apps/gateway/src/limits/redis.ts');
      const store = new RedisLimitStore({ url: env.REDIS_URL, keyPrefix: redisKeyPrefix });
      await store.deleteNamespace();
      await store.close();
      const rollups = await db?.usageRollup.findMany({ where: { subscriptionId: meteredSubscription } });
      const metered = (rollups ?? []).reduce((sum, r) => sum + r.requests, 0n);
      process.stdout.write(`gateway metered ${metered} requests into Postgres (warm-up + runs + checks)\n`);
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
  } finally {
    await metering?.stop();
    await upstream.stop();
    await db?.$disconnect();
  }
  const results = [...byTarget.values()].map(medianOf);
  let meteringResult: MeteringBenchResult | undefined;
  if (wanted.has('metering')) {
    process.stdout.write('metering: one worker ingesting usage events from Redis streams into Postgres…\n');
    meteringResult = await runMeteringBench({
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
    runs: env.BENCH_RUNS,
    pinned,
    skipped,
    ...(meteringResult ? { metering: meteringResult } : {}),
    ...(ai ? { ai } : {}),
    ...(profile ? { profile } : {}),
  };
  process.stdout.write(`\n${writeResults(resultsDir, results, meta)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
