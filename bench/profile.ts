import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';

/** The parts of a `.cpuprofile` (V8's CPU profiler, `node --cpu-prof`) that the breakdown reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  /** µs on the monotonic clock (the same as `process.hrtime`) */
  startTime: number;
  samples: number[];
  /** µs between a sample and the one before it (the first: since startTime) */
  timeDeltas: number[];
}

/** Where the gateway's CPU goes, in the order the report prints; every sample lands in one part. */
const PROFILE_PARTS = [
  'gateway chain steps',
  'key + config lookup',
  'limits',
  'usage event + request log',
  'policies',
  'upstream proxy',
  'access log (log.ts, pino)',
  'metrics (ops/, prom-client)',
  'other gateway code',
  'ioredis',
  'undici',
  'node:http internals',
  'socket I/O (node:net, stream writes and reads)',
  'other Node core (events, microtasks, timers…)',
  'garbage collector',
  'V8 and native, unattributed (program)',
  'other',
] as const;
type ProfilePart = (typeof PROFILE_PARTS)[number];

/** Source path → part, first match wins (node_modules before the gateway's own folders). */
const BY_PATH: [RegExp, ProfilePart][] = [
  [
    /\/node_modules\/(ioredis|@ioredis|redis-parser|redis-errors|cluster-key-slot|denque|standard-as-callback)\//,
    'ioredis',
  ],
  [/\/node_modules\/undici\/|^node:internal\/deps\/undici\//, 'undici'],
  [
    /\/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|safe-stable-stringify|on-exit-leak-free|atomic-sleep)\//,
    'access log (log.ts, pino)',
  ],
  [/\/node_modules\/(prom-client|tdigest|bintrees)\//, 'metrics (ops/, prom-client)'],
  [/\/node_modules\//, 'other'],
  [/\/apps\/gateway\/src\/chain\//, 'gateway chain steps'],
  [/\/apps\/gateway\/src\/(config\/|pipeline\/key|pipeline\/subscription)/, 'key + config lookup'],
  [/\/apps\/gateway\/src\/limits\//, 'limits'],
  [/\/apps\/gateway\/src\/usage\/|\/packages\/usage\//, 'usage event + request log'],
  [/\/apps\/gateway\/src\/policies\//, 'policies'],
  [/\/apps\/gateway\/src\/upstream\//, 'upstream proxy'],
  [/\/apps\/gateway\/src\/log\.ts$/, 'access log (log.ts, pino)'],
  [/\/apps\/gateway\/src\/ops\//, 'metrics (ops/, prom-client)'],
  [/\/apps\/gateway\/src\/|\/packages\/[^/]+\/src\//, 'other gateway code'],
  [/^node:(_http_|http$|https$|internal\/http)/, 'node:http internals'],
  [
    /^node:(net$|stream$|internal\/stream_base_commons$|internal\/streams\/)/,
    'socket I/O (node:net, stream writes and reads)',
  ],
  [/^node:/, 'other Node core (events, microtasks, timers…)'],
];

function partOfPath(path: string): ProfilePart {
  return BY_PATH.find(([pattern]) => pattern.test(path))?.[1] ?? 'other';
}

/** Maps a function's position in the script V8 ran (url, 0-based line/column) to its source path. */
/** Frames billed to their caller: natives (no script) and node:fs (pino's writes are the access log's). */
const INHERITS = /^$|^node:(fs$|internal\/fs\/)/;

export type SourceResolver = (url: string, line: number, column: number) => string;

export interface ProfileBreakdown {
  /** on-CPU time of the main thread in the window, µs (idle excluded) */
  totalUs: number;
  parts: { part: ProfilePart; selfUs: number }[];
}

/**
 * Self time per part: each sample counts the time until the next one, and goes to the part of the
 * function it was taken in. A native frame without a script (a binding, `JSON.stringify`…) and a node:fs
 * frame go to the part of their nearest caller that is neither; V8's own pseudo-frames go to the GC and "program" parts;
 * idle samples are left out. Only samples taken between `window.fromUs` and `window.toUs` count.
 */
export function attributeProfile(
  profile: CpuProfile,
  resolve: SourceResolver = (url) => url,
  window?: { fromUs: number; toUs: number },
): ProfileBreakdown {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const partOf = new Map<number, ProfilePart | null>();
  const part = (id: number): ProfilePart | null => {
    const known = partOf.get(id);
    if (known !== undefined) return known;
    const frame = byId.get(id)?.callFrame;
    let found: ProfilePart | null;
    if (!frame || frame.functionName === '(idle)') found = null;
    else if (frame.functionName === '(garbage collector)') found = 'garbage collector';
    else if (frame.functionName === '(program)') found = 'V8 and native, unattributed (program)';
    else if (frame.url && !INHERITS.test(frame.url)) {
      found = partOfPath(resolve(frame.url, frame.lineNumber, frame.columnNumber));
    } else {
      const parent = parentOf.get(id);
      found =
        parent === undefined || byId.get(parent)?.callFrame.functionName === '(root)'
          ? 'other'
          : part(parent);
    }
    partOf.set(id, found);
    return found;
  };
  const selfUs = new Map<ProfilePart, number>();
  let totalUs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const p = part(profile.samples[i] as number);
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (p === null || us <= 0) continue;
    selfUs.set(p, (selfUs.get(p) ?? 0) + us);
    totalUs += us;
  }
  return { totalUs, parts: PROFILE_PARTS.map((p) => ({ part: p, selfUs: selfUs.get(p) ?? 0 })) };
}

/**
 * A resolver for scripts with a source map beside them (`main.mjs` → `main.mjs.map`, as
 * scripts/build-gateway.ts writes): bundled code maps back to its source file; other URLs stay as they are.
 */
export function sourceMapResolver(): SourceResolver {
  const maps = new Map<string, SourceMap | null>();
  const cache = new Map<string, string>();
  const mapOf = (url: string): SourceMap | null => {
    if (!maps.has(url)) {
      let map: SourceMap | null = null;
      if (url.startsWith('file:')) {
        try {
          map = new SourceMap(JSON.parse(readFileSync(new URL(`${url}.map`), 'utf8')));
        } catch {
          map = null;
        }
      }
      maps.set(url, map);
    }
    return maps.get(url) ?? null;
  };
  return (url, line, column) => {
    const key = `${url}:${line}:${column}`;
    let path = cache.get(key);
    if (path === undefined) {
      const entry = mapOf(url)?.findEntry(line, column) as { originalSource?: string } | undefined;
      path = entry?.originalSource ? new URL(entry.originalSource, url).pathname : url;
      cache.set(key, path);
    }
    return path;
  };
}

/** The one `.cpuprofile` a process wrote into `dir` (`--cpu-prof-dir`). */
export function readCpuProfile(dir: string): CpuProfile {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
}

interface GcPauses {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface GcSummary {
  scavenge: GcPauses;
  markCompact: GcPauses;
}

/**
 * GC pauses from `node --trace-gc` lines (`[pid:0x…]   1234 ms: Mark-Compact 9.6 (13.1) -> 7.6 (14.3) MB,
 * 3.21 / 0.00 ms …`): the first figure after "MB," is the main thread's pause. Only events whose time
 * (ms since the isolate started) lies in the window count.
 */
export function parseTraceGc(log: string, window: { fromMs: number; toMs: number }): GcSummary {
  const empty = (): GcPauses => ({ count: 0, totalMs: 0, maxMs: 0 });
  const summary: GcSummary = { scavenge: empty(), markCompact: empty() };
  const line =
    /^\[\d+:0x[0-9a-f]+\]\s+(\d+) ms: (Scavenge|Mark-Compact|Mark-sweep)\b[^,]*, ([\d.]+) \/ [\d.]+ ms/gm;
  for (const match of log.matchAll(line)) {
    const at = Number(match[1]);
    if (at < window.fromMs || at > window.toMs) continue;
    const pauses = match[2] === 'Scavenge' ? summary.scavenge : summary.markCompact;
    const ms = Number(match[3]);
    pauses.count += 1;
    pauses.totalMs += ms;
    pauses.maxMs = Math.max(pauses.maxMs, ms);
  }
  return summary;
}

/** What a profiled run found (bench/run.ts), for the report. */
export interface ProfiledRun {
  /** requests served during the profiled saturation run */
  requests: number;
  /** CPU µs per request of the whole process by /proc during that run (profiler on) */
  cpuPerRequestUs: number;
  breakdown: ProfileBreakdown;
  /** GC pauses during the fixed-rate run */
  gc: GcSummary;
  fixedRateS: number;
}
