import { pino } from 'pino';
import { MeteringConfigError, type MeteringEnv, readMeteringEnv } from './env.ts';
import { type RunningWorker, startMeteringWorker } from './worker.ts';

/** The metering worker process: Redis usage streams → Postgres (see consumer.ts). */
function readEnvOrExit(): MeteringEnv {
  try {
    return readMeteringEnv();
  } catch (error) {
    // Refuse to start, naming the variable; no stack trace for a configuration mistake.
    process.stderr.write(`${error instanceof MeteringConfigError ? error.message : String(error)}\n`);
    process.exit(78); // EX_CONFIG
  }
}

const env = readEnvOrExit();
const logger = pino({
  level: env.METERING_LOG_LEVEL,
  base: { pid: process.pid, service: 'metering' },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

let worker: RunningWorker | undefined;
let stopReason: string | undefined;
// The process runs until a signal stops it (every stop path ends in process.exit). The worker's own timers
// are unref'd, and without Redis nothing else holds the event loop once the idle database pool closes.
setInterval(() => undefined, 2 ** 30);
// Upper bound for a drain: a blocked read, one batch and its acknowledgement.
const FORCED_EXIT_MS = 30_000;

function stop(reason: string): void {
  if (stopReason !== undefined) return;
  stopReason = reason;
  if (!worker) return; // startup finishes first, then stops at once
  logger.info(`${reason}: finishing the current batch`);
  setTimeout(() => {
    logger.error('stop timed out; exiting (unacknowledged entries stay pending)');
    process.exit(1);
  }, FORCED_EXIT_MS).unref();
  worker.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: (error as Error).message }, 'stop failed');
      process.exit(1);
    },
  );
}

process.on('SIGTERM', () => stop('received SIGTERM'));
process.on('SIGINT', () => stop('received SIGINT'));

startMeteringWorker(env, logger).then(
  (running) => {
    worker = running;
    if (stopReason !== undefined) {
      const reason = stopReason;
      stopReason = undefined;
      stop(reason);
    }
  },
  (error: unknown) => {
    logger.fatal({ err: (error as Error).message }, 'metering worker failed to start');
    process.exit(1);
  },
);
