import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Keeps one child process of `npm start` running: a child that exits while the platform is not stopping
 * is started again after a backoff that doubles with each quick failure (capped, so a crash loop costs
 * one start per `maxMs`) and resets once the child has stayed up for `stableMs`. Every exit and every
 * restart is logged in one line; stopping is the only way a supervised child stays down.
 */
export interface ChildSpec {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Whether an exit (while not stopping) starts the child again; asked at each exit. Default: always. */
  restart?: boolean | (() => boolean);
  /** Its own process group: a Ctrl-C in the terminal does not reach it, the platform stops it itself. */
  detached?: boolean;
  /** A pipe whose end tells the child that the platform is gone. Default: no stdin. */
  stdinPipe?: boolean;
  /** Each line the child prints. Default: printed with a `[name]` prefix. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  onSpawn?: (pid: number) => void;
  /** Every exit (also those that are restarted); not called for exits caused by stop(). */
  onExit?: (exit: ChildExit) => void;
}

interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** set when the process could not be started at all (e.g. ENOENT) */
  error?: string;
  restarting: boolean;
  /** ms until the restart, when restarting */
  delayMs: number;
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** An exit after this long up counts as the first failure again. */
  stableMs: number;
}

export interface SuperviseOptions {
  log: (line: string) => void;
  backoff?: Partial<BackoffPolicy>;
  /**
   * How long an exit waits before it is reported and acted on. A Ctrl-C reaches the children and the
   * platform at the same instant; a child that is quicker to exit than the platform is to start stopping
   * must not be reported as a crash.
   */
  settleMs?: number;
  /** SIGKILL after this long when a SIGTERM did not stop the child. */
  killAfterMs?: number;
}

export interface SupervisedChild {
  readonly name: string;
  /** the current process, if one is running */
  readonly pid: number | undefined;
  readonly starts: number;
  /** Stops the child (SIGTERM, then SIGKILL after killAfterMs) and never starts it again. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000, stableMs: 60_000 };

/** The delay before restart number `failures` (1-based) of a child that keeps failing. */
export function backoffDelay(failures: number, policy: BackoffPolicy): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
}

export function supervise(spec: ChildSpec, options: SuperviseOptions): SupervisedChild {
  const policy = { ...DEFAULT_BACKOFF, ...options.backoff };
  const settleMs = options.settleMs ?? 250;
  const killAfterMs = options.killAfterMs ?? 10_000;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let restartTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  let failures = 0;
  let starts = 0;

  const start = () => {
    starts += 1;
    const startedAt = Date.now();
    const proc = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: [spec.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: spec.detached ?? false,
    });
    child = proc;
    const print = spec.onLine ?? defaultPrinter(spec.name);
    for (const stream of ['stdout', 'stderr'] as const) {
      const input = proc[stream];
      if (input) createInterface({ input, crlfDelay: Infinity }).on('line', (line) => print(line, stream));
    }
    // A child that is stopped may close its stdin first; the resulting EPIPE is no news.
    proc.stdin?.on('error', () => undefined);
    if (proc.pid !== undefined) spec.onSpawn?.(proc.pid);
    let spawnError: string | undefined;
    exited = new Promise<void>((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (done) return;
        done = true;
        resolve();
        if (child === proc) child = undefined;
        if (stopping) return;
        setTimeout(() => onUnplannedExit(code, signal, Date.now() - startedAt, spawnError), settleMs);
      };
      proc.once('error', (error) => {
        spawnError = error.message;
        // An 'error' without a pid means the process never started, and no 'exit' follows.
        if (proc.pid === undefined) finish(null, null);
      });
      proc.once('exit', finish);
    });
  };

  const onUnplannedExit = (
    code: number | null,
    signal: NodeJS.Signals | null,
    upMs: number,
    error: string | undefined,
  ) => {
    if (stopping) return;
    const wanted = typeof spec.restart === 'function' ? spec.restart() : (spec.restart ?? true);
    failures = upMs >= policy.stableMs ? 1 : failures + 1;
    const delayMs = wanted ? backoffDelay(failures, policy) : 0;
    spec.onExit?.({ code, signal, restarting: wanted, delayMs, ...(error ? { error } : {}) });
    if (!wanted) return;
    const how = error ? `could not start: ${error}` : `exited (${signal ?? `code ${code}`})`;
    options.log(`${spec.name} ${how}; restarting in ${formatDelay(delayMs)}`);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (!stopping) start();
    }, delayMs);
  };

  start();
  return {
    name: spec.name,
    get pid() {
      return child?.pid;
    },
    get starts() {
      return starts;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      restartTimer = undefined;
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill(signal);
      const force = setTimeout(() => {
        options.log(`${spec.name} did not stop within ${formatDelay(killAfterMs)}; killing it`);
        // A detached child leads its own group: whatever it started goes with it.
        if (spec.detached && proc.pid !== undefined) {
          try {
            process.kill(-proc.pid, 'SIGKILL');
          } catch {
            proc.kill('SIGKILL');
          }
        } else proc.kill('SIGKILL');
      }, killAfterMs);
      await exited;
      clearTimeout(force);
    },
  };
}

function defaultPrinter(name: string): (line: string, stream: 'stdout' | 'stderr') => void {
  return (line, stream) => {
    if (line.length === 0) return;
    (stream === 'stdout' ? process.stdout : process.stderr).write(`[${name}] ${line}\n`);
  };
}

function formatDelay(ms: number): string {
  return ms >= 1_000 && ms % 1_000 === 0
    ? `${ms / 1_000} s`
    : ms >= 1_000
      ? `${(ms / 1_000).toFixed(1)} s`
      : `${ms} ms`;
}
