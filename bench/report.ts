import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import type { AiBenchResult } from './ai.ts';
import type { LatencyResult, LoadResult } from './load.ts';
import type { MeteringBenchResult } from './metering.ts';
import type { GcSummary, ProfiledRun } from './profile.ts';
import { GATEWAY_CAPPED_OLD_SPACE_MB } from './targets.ts';

export interface TargetResult extends LoadResult {
  target: string;
  peakRssBytes: number;
  /** CPU time of the server process over the measured run, as % of one core. */
  cpuPercent: number;
  /** the fixed-rate phase */
  latency: LatencyResult;
  /** Median of the runs' own CPU µs per request (set when several runs were combined). */
  cpuPerRequestUs?: number;
  /** How many runs the figures are the medians of. */
  runs?: number;
}

export interface BenchMeta {
  connections: number;
  durationS: number;
  warmupS: number;
  /** runs per target; every figure is the median of them */
  runs?: number;
  pinned: boolean;
  skipped: string[];
  metering?: MeteringBenchResult;
  ai?: AiBenchResult;
  /** the profiled runs of the gateway and the floor */
  profile?: { gateway: ProfiledRun; floor?: ProfiledRun };
}

const TARGETS = { throughputRatio: 0.85, p99DeltaMs: 1, rssBytes: 200 * 1024 * 1024 };

const fmt = (n: number, digits = 2) => n.toFixed(digits);

/** Server CPU time per request at saturation, in µs: what throughput on a dedicated core comes down to. */
export const cpuPerRequestUs = (r: TargetResult) =>
  r.cpuPerRequestUs ?? (r.cpuPercent * 10_000) / Math.max(1, r.requestsPerSec);

/** The bare proxy measured a second time, after the gateway: the machine's own run-to-run spread. */
export const BARE_AGAIN = 'bare-proxy (again, after the gateways)';
/** The bare proxy plus what exact shared limits and durable metering need at least. */
export const FLOOR = 'bare-proxy + Redis INCR/XADD';
export const GATEWAY = 'gateway';
export const GATEWAY_LOCAL_FIRST = 'gateway, local-first limits';
export const GATEWAY_NO_LIMITS = 'gateway, plan without limits or quota';
export const GATEWAY_NO_ACCESS_LOG = 'gateway, access log off';
export const GATEWAY_CAPPED = `gateway (old space capped at ${GATEWAY_CAPPED_OLD_SPACE_MB} MB)`;

/** DESIGN.md's targets against the floor, and the published peer figure the per-core line compares with. */
const FLOOR_TARGETS = { cpuRatio: 1.1, p99DeltaMs: 1, aiTtftDeltaMs: 1 };
const APIPARK = { tps: 20_000, cores: 8 };

const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');
const signed = (n: number, digits = 3) => `${n >= 0 ? '+' : ''}${fmt(n, digits)}`;

/**
 * The targets against the floor, one PASS/FAIL line each; where one fails, what stands between the
 * gateway and the floor, figure by figure, from the variants that switch one feature off in the same run.
 */
function floorVerdicts(results: TargetResult[]): string[] {
  const find = (name: string) => results.find((r) => r.target === name);
  const gateway = find(GATEWAY);
  const floor = find(FLOOR);
  const bare = find('bare-proxy');
  const lines: string[] = [];
  if (gateway && floor) {
    const cpuLimit = cpuPerRequestUs(floor) * FLOOR_TARGETS.cpuRatio;
    const cpuPass = cpuPerRequestUs(gateway) <= cpuLimit;
    const p99Delta = gateway.latency.p99Ms - floor.latency.p99Ms;
    const p99Pass = p99Delta <= FLOOR_TARGETS.p99DeltaMs;
    lines.push(
      `- CPU per request ≤ floor × 1.10 (all features on): gateway ${fmt(cpuPerRequestUs(gateway), 0)} µs, floor ${fmt(cpuPerRequestUs(floor), 0)} µs (limit ${fmt(cpuLimit, 0)} µs) — ${verdict(cpuPass)}`,
      `- fixed-rate p99 ≤ floor's + 1 ms (at ${gateway.latency.rate} req/s): gateway ${fmt(gateway.latency.p99Ms, 3)} ms, floor ${fmt(floor.latency.p99Ms, 3)} ms (${signed(p99Delta)} ms) — ${verdict(p99Pass)}`,
      `- RSS < 200 MB under load: ${fmt(gateway.peakRssBytes / 1024 / 1024, 1)} MB — ${verdict(gateway.peakRssBytes < TARGETS.rssBytes)}`,
    );
    if (!cpuPass || !p99Pass) lines.push(...gap(results, gateway, floor));
  }
  const localFirst = find(GATEWAY_LOCAL_FIRST);
  if (localFirst && bare) {
    const delta = localFirst.latency.p99Ms - bare.latency.p99Ms;
    lines.push(
      `- local-first limits: fixed-rate p99 ≤ bare proxy's + 1 ms: ${fmt(localFirst.latency.p99Ms, 3)} ms vs ${fmt(bare.latency.p99Ms, 3)} ms (${signed(delta)} ms) — ${verdict(delta <= FLOOR_TARGETS.p99DeltaMs)}; CPU ${fmt(cpuPerRequestUs(localFirst), 0)} µs/request`,
    );
  }
  if (gateway) {
    // One worker on one pinned core; and what a core of its own would give at the measured CPU cost.
    const ownCore = 1_000_000 / Math.max(1, cpuPerRequestUs(gateway));
    const peer = APIPARK.tps / APIPARK.cores;
    lines.push(
      `- req/s per core: gateway ${fmt(gateway.requestsPerSec, 0)} measured (one worker, one core shared with Redis/Postgres), ${fmt(ownCore, 0)} at its CPU cost on a core of its own; APIPark publishes ${APIPARK.tps.toLocaleString('en-US')} TPS on ${APIPARK.cores} cores = ${peer.toLocaleString('en-US')} per core (their hardware, not this run) — ${fmt(ownCore / peer, 2)}×`,
    );
  }
  return lines;
}

/** The gateway's excess over the floor, split by the feature each variant switched off. */
function gap(results: TargetResult[], gateway: TargetResult, floor: TargetResult): string[] {
  const lines = [
    `- between the gateway and the floor: ${signed(cpuPerRequestUs(gateway) - cpuPerRequestUs(floor), 0)} µs CPU per request, ${signed(gateway.latency.p99Ms - floor.latency.p99Ms)} ms fixed-rate p99, ${signed(gateway.latency.p50Ms - floor.latency.p50Ms)} ms fixed-rate p50; by feature (gateway minus the same gateway with it off, same run):`,
  ];
  const parts: [string, string][] = [
    [GATEWAY_NO_LIMITS, 'rate limit + quota check (the Lua script and its round trip)'],
    [GATEWAY_NO_ACCESS_LOG, 'access log line'],
    [GATEWAY_LOCAL_FIRST, 'exact limits instead of local-first (the per-request round trip)'],
  ];
  let explained = 0;
  for (const [name, what] of parts) {
    const variant = results.find((r) => r.target === name);
    if (!variant) continue;
    const cpu = cpuPerRequestUs(gateway) - cpuPerRequestUs(variant);
    if (name !== GATEWAY_LOCAL_FIRST) explained += cpu;
    lines.push(
      `  - ${what}: ${signed(cpu, 0)} µs CPU, ${signed(gateway.latency.p99Ms - variant.latency.p99Ms)} ms p99, ${signed(gateway.peakRssBytes / 1024 / 1024 - variant.peakRssBytes / 1024 / 1024, 1)} MB RSS`,
    );
  }
  const rest = cpuPerRequestUs(gateway) - cpuPerRequestUs(floor) - explained;
  lines.push(
    `  - the rest (key lookup, usage event, request-log row, metrics, headers, routing; less the floor's own INCR/XADD): ${signed(rest, 0)} µs CPU`,
  );
  return lines;
}

/** How much two runs of the same bare proxy differ: a target margin below this cannot be told apart. */
function noiseVerdict(bare: TargetResult, again: TargetResult): string {
  const throughput = Math.abs(again.requestsPerSec - bare.requestsPerSec) / bare.requestsPerSec;
  const p99 = Math.abs(again.latency.p99Ms - bare.latency.p99Ms);
  return `- machine noise: the same bare proxy run twice differs by ${fmt(100 * throughput, 1)}% in req/s and ${fmt(p99, 3)} ms in fixed-rate p99 (the targets allow 10 % of CPU and 1 ms of p99 over the floor)`;
}

function renderMarkdown(results: TargetResult[], meta: BenchMeta): string {
  const bare = results.find((r) => r.target === 'bare-proxy');
  const rows = results.map((r) => {
    const ratio = bare ? `${fmt((100 * r.requestsPerSec) / bare.requestsPerSec, 1)}%` : 'n/a';
    const delta = bare ? r.latency.p99Ms - bare.latency.p99Ms : null;
    const p99Delta = delta === null ? 'n/a' : `${delta >= 0 ? '+' : ''}${fmt(delta, 3)}`;
    return `| ${r.target} | ${fmt(r.requestsPerSec, 0)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.latency.p50Ms, 3)} | ${fmt(r.latency.p99Ms, 3)} | ${fmt(r.peakRssBytes / 1024 / 1024, 1)} | ${fmt(r.cpuPercent, 0)} | ${fmt(cpuPerRequestUs(r), 0)} | ${ratio} | ${p99Delta} | ${r.errors + r.latency.errors} |`;
  });
  const gateway = results.find((r) => r.target === 'gateway');
  const verdicts: string[] = floorVerdicts(results);
  if (gateway && bare) verdicts.push('', 'Against the bare proxy (for reference):');
  if (gateway && bare) {
    const ratio = gateway.requestsPerSec / bare.requestsPerSec;
    const delta = gateway.latency.p99Ms - bare.latency.p99Ms;
    verdicts.push(
      `- throughput ≥ 85% of bare proxy: ${fmt(100 * ratio, 1)}% — ${ratio >= TARGETS.throughputRatio ? 'PASS' : 'FAIL'}`,
      `- p99 within 1 ms of bare proxy (at ${gateway.latency.rate} req/s): ${delta >= 0 ? '+' : ''}${fmt(delta, 3)} ms — ${delta <= TARGETS.p99DeltaMs ? 'PASS' : 'FAIL'}`,
      `- RSS < 200 MB under load: ${fmt(gateway.peakRssBytes / 1024 / 1024, 1)} MB — ${gateway.peakRssBytes < TARGETS.rssBytes ? 'PASS' : 'FAIL'}`,
    );
    // What the ratio would be if the gateway had its core to itself (Postgres, Redis and the metering
    // worker are not pinned and take part of it): the CPU each request costs, gateway against bare.
    verdicts.push(
      `- CPU per request: gateway ${fmt(cpuPerRequestUs(gateway), 0)} µs, bare proxy ${fmt(cpuPerRequestUs(bare), 0)} µs — on a core of its own the gateway would reach at most ${fmt((100 * cpuPerRequestUs(bare)) / cpuPerRequestUs(gateway), 1)}% of the bare proxy's req/s`,
    );
    const again = results.find((r) => r.target === BARE_AGAIN);
    if (again) verdicts.push(noiseVerdict(bare, again));
    const capped = results.find((r) => r.target.startsWith('gateway (old space capped'));
    if (capped) {
      verdicts.push(
        `- RSS < 200 MB under load, memory-capped profile: ${fmt(capped.peakRssBytes / 1024 / 1024, 1)} MB — ${capped.peakRssBytes < TARGETS.rssBytes ? 'PASS' : 'FAIL'} (at ${fmt((100 * capped.requestsPerSec) / bare.requestsPerSec, 1)}% of the bare proxy's req/s)`,
      );
    }
  }
  return [
    `# Gateway benchmark — ${new Date().toISOString()}`,
    '',
    `Node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}); load: ${results[0]?.tool ?? 'n/a'}, ${meta.connections} connections, ${meta.durationS} s after a ${meta.warmupS} s warm-up; every figure the median of ${meta.runs ?? 1} run(s) per target, round after round; ${meta.pinned ? 'target pinned to CPU 1, load generator + upstream to CPU 0 (taskset)' : 'no CPU pinning'}.`,
    '',
    `Throughput and the first latency pair are at saturation (${meta.connections} connections, closed loop); the second pair is an open-loop run at a fixed ${results[0]?.latency.rate ?? 'n/a'} req/s, measured from each request's scheduled start (no coordinated omission), and is what the p99 target compares.`,
    '',
    '| target | req/s | p50 ms (sat.) | p99 ms (sat.) | p50 ms (fixed rate) | p99 ms (fixed rate) | peak RSS MB | server CPU % | CPU µs/request | req/s vs bare | p99 Δ vs bare (fixed rate, ms) | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...verdicts,
    ...(meta.profile ? profileSection(meta.profile, results) : []),
    ...(meta.metering ? meteringSection(meta.metering) : []),
    ...(meta.ai ? aiSection(meta.ai) : []),
    ...(meta.skipped.length > 0 ? ['', `Skipped: ${meta.skipped.join('; ')}`] : []),
    '',
  ].join('\n');
}

/**
 * The profiled runs: µs per request per part, gateway next to floor, and what the gateway spends more;
 * then the whole process's figure and the GC pauses of each.
 */
function profileSection(
  profile: { gateway: ProfiledRun; floor?: ProfiledRun },
  results: TargetResult[],
): string[] {
  const { gateway, floor } = profile;
  const gatewayResult = results.find((r) => r.target === GATEWAY);
  const floorResult = results.find((r) => r.target === FLOOR);
  const perRequest = (run: ProfiledRun, us: number) => us / Math.max(1, run.requests);
  const partUs = (run: ProfiledRun | undefined, part: string) =>
    run ? perRequest(run, run.breakdown.parts.find((p) => p.part === part)?.selfUs ?? 0) : 0;
  const cell = (n: number | undefined) => (n === undefined ? 'n/a' : fmt(n, 1));
  const row = (name: string, g: number, f: number | undefined) =>
    `| ${name} | ${cell(g)} | ${cell(f)} | ${f === undefined ? 'n/a' : signed(g - f, 1)} |`;
  const rows = gateway.breakdown.parts
    .filter((p) => p.selfUs > 0 || partUs(floor, p.part) > 0)
    .map((p) => row(p.part, partUs(gateway, p.part), floor ? partUs(floor, p.part) : undefined));
  const pauses = (gc: GcSummary) =>
    `${gc.markCompact.count} mark-compact (total ${fmt(gc.markCompact.totalMs, 1)} ms, longest ${fmt(gc.markCompact.maxMs, 1)} ms), ` +
    `${gc.scavenge.count} scavenges (total ${fmt(gc.scavenge.totalMs, 1)} ms, longest ${fmt(gc.scavenge.maxMs, 1)} ms)`;
  return [
    '',
    "## Where the gateway's CPU goes (V8 CPU profile)",
    '',
    `The gateway${floor ? ' and the floor' : ''} run once more under \`node --cpu-prof --trace-gc\`: the main thread's self time during the saturation run, split by source path, ÷ the requests served then (gateway ${fmt(gateway.requests, 0)}${floor ? `, floor ${fmt(floor.requests, 0)}` : ''}). µs per request:`,
    '',
    '| part | gateway | floor | gateway − floor |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    row(
      '**main thread, profiled**',
      perRequest(gateway, gateway.breakdown.totalUs),
      floor ? perRequest(floor, floor.breakdown.totalUs) : undefined,
    ),
    row('whole process by /proc, profiled run', gateway.cpuPerRequestUs, floor?.cpuPerRequestUs),
    ...(gatewayResult
      ? [
          row(
            'whole process by /proc, unprofiled (the table above)',
            cpuPerRequestUs(gatewayResult),
            floorResult ? cpuPerRequestUs(floorResult) : undefined,
          ),
        ]
      : []),
    '',
    `- GC pauses on the gateway's main thread during the fixed-rate run (${fmt(gateway.fixedRateS, 1)} s, lead-in included): ${pauses(gateway.gc)}`,
    ...(floor ? [`- the same for the floor: ${pauses(floor.gc)}`] : []),
  ];
}

function meteringSection(m: MeteringBenchResult): string[] {
  return [
    '',
    '## Metering (Redis streams → one worker → Postgres)',
    '',
    '| measure | value | target |',
    '| --- | ---: | ---: |',
    `| events/s one worker ingests (${m.events.toLocaleString('en-US')} events queued, batch ${m.batchSize}) | ${m.eventsPerSecond.toLocaleString('en-US')} | ≥ 20,000 ${m.eventsPerSecond >= 20_000 ? 'PASS' : 'FAIL'} |`,
    `| event → Postgres lag p50 at ${m.lagRatePerSecond.toLocaleString('en-US')} events/s | ${m.lagP50Ms} ms | |`,
    `| event → Postgres lag p99 at ${m.lagRatePerSecond.toLocaleString('en-US')} events/s | ${m.lagP99Ms} ms | < 2,000 ms ${m.lagP99Ms < 2_000 ? 'PASS' : 'FAIL'} |`,
  ];
}

/** The AI target: the gateway adds ≤ 2 ms p99 to a streamed completion's first token and total. */
const AI_ADDED_P99_MS = 2;

function aiSection(ai: AiBenchResult): string[] {
  const direct = ai.results.find((r) => r.target.startsWith('direct'));
  const added = (value: number, base: number | undefined) =>
    base === undefined ? 'n/a' : `${value - base >= 0 ? '+' : ''}${fmt(value - base, 3)}`;
  const rows = ai.results.map(
    (r) =>
      `| ${r.target} | ${fmt(r.ttftP50Ms, 3)} | ${fmt(r.ttftP99Ms, 3)} | ${fmt(r.totalP50Ms, 3)} | ${fmt(r.totalP99Ms, 3)} | ${added(r.ttftP50Ms, direct?.ttftP50Ms)} | ${added(r.ttftP99Ms, direct?.ttftP99Ms)} | ${added(r.totalP99Ms, direct?.totalP99Ms)} | ${r.errors} |`,
  );
  const gateway = ai.results.find((r) => r.target === 'gateway');
  const floor = ai.results.find((r) => r.target.startsWith('bare proxy (Node'));
  const floorLine =
    floor && direct
      ? [
          `- for scale, the bare Node streaming proxy (nothing but the hop) adds ${added(floor.ttftP99Ms, direct.ttftP99Ms)} ms p99 to time to first token and ${added(floor.totalP99Ms, direct.totalP99Ms)} ms to the whole stream`,
        ]
      : [];
  const redisFloor = ai.results.find((r) => r.target === 'bare proxy + Redis INCR/XADD');
  const floorVerdict =
    gateway && redisFloor && direct
      ? [
          `- TTFT p99 added ≤ the floor's (bare proxy + Redis INCR/XADD) + ${FLOOR_TARGETS.aiTtftDeltaMs} ms: gateway ${added(gateway.ttftP99Ms, direct.ttftP99Ms)} ms, floor ${added(redisFloor.ttftP99Ms, direct.ttftP99Ms)} ms — ${verdict(gateway.ttftP99Ms - redisFloor.ttftP99Ms <= FLOOR_TARGETS.aiTtftDeltaMs)}`,
        ]
      : [];
  const verdicts =
    gateway && direct
      ? [
          ...floorVerdict,
          `- gateway adds ≤ ${AI_ADDED_P99_MS} ms p99 to time to first token: ${added(gateway.ttftP99Ms, direct.ttftP99Ms)} ms — ${gateway.ttftP99Ms - direct.ttftP99Ms <= AI_ADDED_P99_MS ? 'PASS' : 'FAIL'}`,
          `- gateway adds ≤ ${AI_ADDED_P99_MS} ms p99 to the whole stream: ${added(gateway.totalP99Ms, direct.totalP99Ms)} ms — ${gateway.totalP99Ms - direct.totalP99Ms <= AI_ADDED_P99_MS ? 'PASS' : 'FAIL'}`,
        ]
      : [];
  return [
    '',
    `## AI gateway (streamed chat completion: ${ai.tokens} tokens ${ai.intervalMs} ms apart, ${ai.requests} requests each, sequential, interleaved, 20 ms apart)`,
    '',
    'The gateway runs with key auth, rate limit, quota, token metering (Redis stream + worker), cost and the AI call log on; Portkey is `@portkey-ai/gateway` with its defaults.',
    '',
    '| target | TTFT p50 ms | TTFT p99 ms | total p50 ms | total p99 ms | TTFT p50 added ms | TTFT p99 added ms | total p99 added ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...verdicts,
    ...floorLine,
  ];
}

export function writeResults(dir: string, results: TargetResult[], meta: BenchMeta): string {
  mkdirSync(dir, { recursive: true });
  const markdown = renderMarkdown(results, meta);
  writeFileSync(join(dir, 'latest.md'), markdown);
  const bare = results.find((r) => r.target === 'bare-proxy');
  const json = {
    at: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    ...meta,
    results: results.map((r) => ({
      ...r,
      cpuPerRequestUs: cpuPerRequestUs(r),
      throughputVsBare: bare ? r.requestsPerSec / bare.requestsPerSec : null,
      p99DeltaVsBareMs: bare ? r.latency.p99Ms - bare.latency.p99Ms : null,
    })),
  };
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  return markdown;
}
