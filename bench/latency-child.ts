import { Pool } from 'undici';
import { argValue } from './env.ts';

/**
 * Open-loop latency probe: sends requests on a fixed schedule (`rate` per second) whatever the answers
 * do, and measures each from its scheduled start with a microsecond clock, so a stall is charged to every
 * request it delayed (no coordinated omission). The first WARMUP_MS of the schedule run the same way but
 * are not counted: they would measure this process's own cold start and whatever the target still owes
 * the saturation run just before (a gateway's pending log and usage batches, a bare proxy nothing) —
 * not the steady state at this rate. Prints one JSON line for bench/load.ts.
 */
const WARMUP_MS = 2_000;
const url = new URL(argValue('url'));
const rate = Number(argValue('rate'));
const durationMs = Number(argValue('duration')) * 1000;
const headers = JSON.parse(argValue('headers')) as Record<string, string>;
const pool = new Pool(url.origin, { connections: 64 });
const path = `${url.pathname}${url.search}`;

const latenciesUs: number[] = [];
let errors = 0;
const interval = 1000 / rate;
const started = performance.now();
const inFlight = new Set<Promise<void>>();

async function one(scheduledAt: number, counted: boolean): Promise<void> {
  try {
    const response = await pool.request({ method: 'GET', path, headers });
    await response.body.dump();
    if (response.statusCode !== 200 && counted) errors += 1;
  } catch {
    if (counted) errors += 1;
  }
  if (counted) latenciesUs.push((performance.now() - scheduledAt) * 1000);
}

for (let sent = 0; ; sent++) {
  const scheduledAt = started + sent * interval;
  if (scheduledAt - started >= WARMUP_MS + durationMs) break;
  const wait = scheduledAt - performance.now();
  // never early: a request sent before its slot would be measured as faster than it was
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const p = one(scheduledAt, scheduledAt - started >= WARMUP_MS).finally(() => inFlight.delete(p));
  inFlight.add(p);
}
await Promise.all(inFlight);
await pool.close();

latenciesUs.sort((a, b) => a - b);
const at = (q: number) =>
  (latenciesUs[Math.min(latenciesUs.length - 1, Math.floor(q * latenciesUs.length))] ?? 0) / 1000;
process.stdout.write(
  `${JSON.stringify({ requests: latenciesUs.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1), errors })}\n`,
);
