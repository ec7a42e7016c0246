import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';
import { serveClusterMetrics } from './cluster-metrics.ts';

/** Sent by the primary to each worker on shutdown; workers also drain on their own SIGTERM/SIGINT. */
const DRAIN_MESSAGE = 'portcullis:drain';

export interface PrimaryOptions {
  workers: number;
  /** A worker's own drain budget; the primary kills stragglers some seconds after it. */
  drainTimeoutMs: number;
  /** variables every worker gets on top of the primary's environment */
  workerEnv?: Record<string, string>;
  log: Logger;
  /** Flushes logs, then ends the process with this code. */
  exit: (code: number) => never;
}

// Beyond the workers' drain budget: time to flush usage (with retries) and close connections.
const FORCE_MARGIN_MS = 15_000;
const RESTART_WINDOW_MS = 60_000;

/**
 * The cluster primary: forks the workers (they share the listening port), replaces any that dies
 * unexpectedly (with backoff when they keep dying), and on SIGTERM/SIGINT asks every worker to drain and
 * exits once all are gone — 0 when every worker drained cleanly — or kills them after a timeout.
 * A worker that dies before it ever listened means the gateway cannot start: the primary gives up.
 */
export function runPrimary(options: PrimaryOptions): void {
  const { log } = options;
  serveClusterMetrics();
  const listening = new Set<number>();
  const recentRestarts: number[] = [];
  let announced = false;
  let stopping = false;
  let exitCode = 0;

  const fork = () => {
    const worker = cluster.fork(options.workerEnv);
    worker.once('listening', (address: AddressInfo & { address: string | null }) => {
      listening.add(worker.id);
      if (!announced && listening.size >= options.workers) {
        announced = true;
        const host = address.address ?? '127.0.0.1';
        const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
        log('info', 'gateway cluster listening', { url, workers: options.workers });
      }
    });
    return worker;
  };

  const stop = (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    log('info', `received ${signal}: draining ${Object.keys(cluster.workers ?? {}).length} workers`);
    for (const worker of Object.values(cluster.workers ?? {})) tellToDrain(worker);
    setTimeout(() => {
      log('error', 'workers did not drain in time; killing them');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      options.exit(1);
    }, options.drainTimeoutMs + FORCE_MARGIN_MS).unref();
    exitWhenAllGone();
  };

  const exitWhenAllGone = () => {
    if (stopping && Object.keys(cluster.workers ?? {}).length === 0) options.exit(exitCode);
  };

  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    const wasListening = listening.delete(worker.id);
    if (stopping) {
      if (code !== 0) {
        exitCode = 1;
        log('error', 'worker did not drain cleanly', { workerPid: worker.process.pid, code, signal });
      }
      return exitWhenAllGone();
    }
    if (!wasListening) {
      log('error', 'worker died before listening; the gateway cannot start', { code, signal });
      return stop('startup failure', 1);
    }
    const now = Date.now();
    while (recentRestarts.length > 0 && (recentRestarts[0] ?? 0) < now - RESTART_WINDOW_MS) {
      recentRestarts.shift();
    }
    recentRestarts.push(now);
    const delayMs = Math.min(10_000, 100 * 2 ** (recentRestarts.length - 1));
    log('error', 'worker died unexpectedly; restarting', {
      workerPid: worker.process.pid,
      code,
      signal,
      restartInMs: delayMs,
    });
    setTimeout(() => {
      if (!stopping) fork();
    }, delayMs);
  });

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (let i = 0; i < options.workers; i++) fork();
}

function tellToDrain(worker: Worker | undefined): void {
  if (!worker?.isConnected()) return;
  try {
    worker.send({ type: DRAIN_MESSAGE });
  } catch {
    // The worker is exiting already: its 'exit' event settles it.
  }
}

/** In a worker: calls `drain` when the primary asks, or when the primary is gone. */
export function onPrimaryDrainRequest(drain: (reason: string) => void): void {
  if (!cluster.isWorker) return;
  process.on('message', (message: unknown) => {
    if (typeof message === 'object' && message !== null && 'type' in message) {
      if ((message as { type: unknown }).type === DRAIN_MESSAGE) drain('primary asked to drain');
    }
  });
  process.on('disconnect', () => drain('primary disconnected'));
}
