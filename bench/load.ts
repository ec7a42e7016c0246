import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers plus socket errors: must be 0 for a valid run. */
  errors: number;
  tool: 'wrk' | 'autocannon';
}

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  /** Prefix for the command (e.g. ['taskset', '-c', '0']) to keep the generator off the target's core. */
  pin: string[];
}

export const hasCommand = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function toMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`cannot read wrk latency "${text}"`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] ?? Number.NaN);
}

function run(command: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = command;
    const child = spawn(cmd as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

export async function runWrk(spec: LoadSpec): Promise<LoadResult> {
  const headerArgs = Object.entries(spec.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const out = await run(
    [
      ...spec.pin,
      'wrk',
      '-t1',
      `-c${spec.connections}`,
      `-d${spec.durationS}s`,
      '--latency',
      ...headerArgs,
      spec.url,
    ],
    (spec.durationS + 30) * 1000,
  );
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  const p50 = /^\s+50%\s+(\S+)/m.exec(out)?.[1];
  const p99 = /^\s+99%\s+(\S+)/m.exec(out)?.[1];
  if (!rps || !p50 || !p99) throw new Error(`cannot read wrk output:\n${out}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((s, n) => s + Number(n), 0) : 0);
  return { requestsPerSec: Number(rps), p50Ms: toMs(p50), p99Ms: toMs(p99), errors, tool: 'wrk' };
}

export interface LatencyResult {
  rate: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
}

const LATENCY_CHILD = fileURLToPath(new URL('./latency-child.ts', import.meta.url));

/** Fixed-rate (open-loop) latency: what a request costs when the server is not saturated. */
export async function runLatencyProbe(spec: LoadSpec & { rate: number }): Promise<LatencyResult> {
  const out = await run(
    [
      ...spec.pin,
      process.execPath,
      '--import',
      'tsx',
      LATENCY_CHILD,
      `--url=${spec.url}`,
      `--rate=${spec.rate}`,
      `--duration=${spec.durationS}`,
      `--headers=${JSON.stringify(spec.headers)}`,
    ],
    (spec.durationS + 30) * 1000,
  );
  const line = out.trim().split('\n').at(-1) ?? '';
  return { rate: spec.rate, ...(JSON.parse(line) as Omit<LatencyResult, 'rate'>) };
}

const AUTOCANNON_CHILD = fileURLToPath(new URL('./autocannon-child.ts', import.meta.url));

/** autocannon in its own Node process (never in the orchestrator, which would share its event loop). */
export async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const out = await run(
    [
      ...spec.pin,
      process.execPath,
      '--import',
      'tsx',
      AUTOCANNON_CHILD,
      `--url=${spec.url}`,
      `--connections=${spec.connections}`,
      `--duration=${spec.durationS}`,
      `--headers=${JSON.stringify(spec.headers)}`,
    ],
    (spec.durationS + 30) * 1000,
  );
  const line = out.trim().split('\n').at(-1) ?? '';
  return { ...(JSON.parse(line) as Omit<LoadResult, 'tool'>), tool: 'autocannon' };
}
