import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import type { RequestLogEntry } from './usage/meter.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;
/** One structured line per finished request. */
export type AccessLogger = (entry: RequestLogEntry) => void;
export type LogThreshold = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface GatewayLogging {
  log: Logger;
  accessLog: AccessLogger;
  /** Writes what is buffered; call before process.exit. */
  flush(): void;
}

/**
 * pino, JSON lines on stdout. App lines go out as soon as the previous write completes; access lines,
 * one per request, are buffered up to 8 KiB and written at least every 250 ms, so the access log
 * costs one syscall per ~25 requests instead of one each. `flush()` must run before exit. `msg` is written
 * first on app logs so a line reads `{"level":…,"time":…,"msg":"gateway listening","url":…}` — scripts
 * grep for that.
 */
export function createLogging(
  level: LogThreshold = 'info',
  /** tests pass one destination that then receives access lines too, unbuffered */
  given?: DestinationStream,
): GatewayLogging {
  const destination = given ?? pino.destination({ dest: 1, sync: false });
  const accessDestination = given ?? pino.destination({ dest: 1, sync: false, minLength: 8 * 1024 });
  const options = {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const logger: PinoLogger = pino(options, destination);
  const access: PinoLogger = accessDestination === destination ? logger : pino(options, accessDestination);
  const ticker =
    accessDestination === destination
      ? undefined
      : setInterval(() => (accessDestination as { flush?: () => void }).flush?.(), ACCESS_FLUSH_MS);
  ticker?.unref();
  const log: Logger = (lvl, message, fields) => {
    if (!logger.isLevelEnabled(lvl)) return;
    logger[lvl]({ msg: message, ...fields });
  };
  const accessLog: AccessLogger = (entry) => {
    if (!access.isLevelEnabled('info')) return;
    access.info({
      msg: 'request',
      requestId: entry.requestId ?? entry.id,
      orgId: entry.orgId,
      apiId: entry.apiId,
      appId: entry.appId,
      keyId: entry.keyId,
      method: entry.method,
      path: entry.path,
      status: entry.status,
      latencyMs: entry.latencyMs,
      upstreamMs: entry.upstreamMs,
      bytesIn: entry.bytesIn,
      bytesOut: entry.bytesOut,
      clientIp: entry.clientIp,
      userAgent: entry.userAgent,
      errorCode: entry.errorCode,
    });
  };
  const flush = () => {
    for (const stream of new Set([accessDestination, destination]) as Set<{ flushSync?: () => void }>) {
      try {
        stream.flushSync?.();
      } catch {
        // Nothing buffered, or stdout already closed: nothing more can be written anyway.
      }
    }
  };
  return { log, accessLog, flush };
}

const ACCESS_FLUSH_MS = 250;

let shared: GatewayLogging | undefined;
/** The process-wide default (level info), created on first use. */
function defaultLogging(): GatewayLogging {
  shared ??= createLogging('info', pino.destination({ dest: 1, sync: true }));
  return shared;
}

/** One JSON object per line on stdout: what log shippers expect. */
export const jsonLogger: Logger = (level, message, fields) => defaultLogging().log(level, message, fields);

export const silentLogger: Logger = () => undefined;

/** A failing dependency (cache, counters, log writer) must not flood the log: one line per 10 s at most. */
export function throttledWarn(log: Logger, message: string): (error: unknown) => void {
  let lastAt = 0;
  return (error) => {
    const now = Date.now();
    if (now - lastAt < 10_000) return;
    lastAt = now;
    log('warn', message, { error: describeError(error) });
  };
}
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Sends access lines through an app logger (tests pass one logger that sees everything, or nothing). */
export function accessLogVia(log: Logger): AccessLogger {
  return (entry) => log('info', 'request', { ...entry, requestId: entry.requestId ?? entry.id });
}

/** The default access logger, on the process-wide default logging. */
export const jsonAccessLogger: AccessLogger = (entry) => defaultLogging().accessLog(entry);
