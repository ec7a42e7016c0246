import type { Server } from 'node:http';
import type { Logger } from '../log.ts';

const CLOSE_STEP_TIMEOUT_MS = 5_000;

/** Waits for one shutdown step for a bounded time; a step that hangs is logged and left behind. */
export async function bounded(
  step: Promise<unknown>,
  what: string,
  log: Logger,
  timeoutMs = CLOSE_STEP_TIMEOUT_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([
    step.then(
      () => 'done' as const,
      () => 'done' as const,
    ),
    timedOut,
  ]);
  clearTimeout(timer);
  if (outcome === 'timeout') log('warn', 'shutdown step did not finish in time', { step: what });
}

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting, lets in-flight requests finish (cut after timeoutMs), closing idle keep-alives. */
export function drain(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
    force.unref();
    // Keep-alive connections turn idle as their last response ends: close each one as soon as it does.
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearTimeout(force);
      clearInterval(sweeper);
      resolve();
    });
    server.closeIdleConnections();
  });
}
