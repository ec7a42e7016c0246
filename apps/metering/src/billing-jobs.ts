import { type CloseDuePeriodsSummary, closeDuePeriods } from '@portcullis/billing/invoicing';
import { enforcePaymentGrace } from '@portcullis/billing/stripe-sync/grace';
import { syncStripe } from '@portcullis/billing/stripe-sync/sync';
import type { EncryptionKey } from '@portcullis/core/crypto';
import type { Db } from '@portcullis/db';
import { checkUsageAlerts } from '@portcullis/services/usage-alert-check';
import type { Logger } from 'pino';

export interface BillingJobsOptions {
  db: Db;
  logger: Logger;
  intervalMs: number;
  /** Absent: Stripe sync is skipped (local invoices still close). */
  encryptionKey: EncryptionKey | undefined;
  stripeApiBase: string | undefined;
  /** a period closes no sooner than this after it ends (default 10 min) */
  settleMs?: number;
  /** when a usage source counts as stale, and when a silent embedded gateway stops holding closes */
  watermarks?: { staleMs?: number; gatewayGiveUpMs?: number };
  now?: () => Date;
}

/** Cancelled subscriptions' late usage is looked for this often (it reads their periods' rollups). */
const CANCELLED_LATE_USAGE_EVERY_MS = 3_600_000;

function logClose(logger: Logger, closed: CloseDuePeriodsSummary): void {
  if (closed.invoicesCreated > 0 || closed.skipped.length > 0) {
    logger.info(
      {
        invoices: closed.invoicesCreated,
        totals: Object.fromEntries(Object.entries(closed.totalsByCurrency).map(([c, v]) => [c, String(v)])),
        skipped: closed.skipped,
      },
      'billing periods closed',
    );
  }
  if (closed.lateUsage.length > 0) {
    logger.warn(
      {
        charges: closed.lateUsage.map((late) => ({ ...late, amountMinor: String(late.amountMinor) })),
      },
      'usage received after its period was invoiced, charged on a later invoice',
    );
  }
  if (closed.held.periods > 0) {
    logger.warn(
      {
        periods: closed.held.periods,
        earliestEnd: closed.held.earliestEnd,
        waitingFor: closed.held.waitingFor.map((source) => ({
          source: source.source,
          watermark: source.watermark,
          state: source.state,
          reportedAt: source.reportedAt,
          reportedBy: source.reportedBy,
        })),
      },
      'billing period close held back: usage for these periods may still arrive (a source is behind or stale)',
    );
  }
}

export interface BillingJobs {
  /** One pass of every job, in order; what the timer runs. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Period close (local invoices), Stripe sync (catalog, customers, aggregated meter events), the usage
 * alert check (usage rolled up so far against each alert's thresholds) and the payment grace check, one
 * after another on a timer. Each job is idempotent and safe to run from several
 * workers at once (advisory locks, unique keys), so a crash mid-pass just means the next pass redoes it.
 */
export function startBillingJobs(options: BillingJobsOptions): BillingJobs {
  const { db, logger } = options;
  const now = options.now ?? (() => new Date());
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  // The first close waits one interval: a usage consumer starting in this process records where its
  // partitions stand first, so a backlog it starts on holds its periods (a restarted worker's partitions
  // are recorded already; this covers a worker's very first start).
  const closeFrom = now().getTime() + options.intervalMs;
  let cancelledCheckedAt = Number.NEGATIVE_INFINITY;

  const pass = async () => {
    try {
      const at = now();
      if (at.getTime() >= closeFrom) {
        const cancelledLateUsage = at.getTime() - cancelledCheckedAt >= CANCELLED_LATE_USAGE_EVERY_MS;
        const closed = await closeDuePeriods(db, {
          now: at,
          cancelledLateUsage,
          ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}),
          ...(options.watermarks ? { watermarks: options.watermarks } : {}),
        });
        if (cancelledLateUsage) cancelledCheckedAt = at.getTime();
        logClose(logger, closed);
      }
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'closing billing periods failed');
    }
    if (options.encryptionKey) {
      try {
        const synced = await syncStripe(db, {
          now: now(),
          encryptionKey: options.encryptionKey,
          ...(options.stripeApiBase ? { apiBase: options.stripeApiBase } : {}),
        });
        if (synced.errors.length > 0) logger.warn({ errors: synced.errors }, 'stripe sync reported errors');
        const meter = synced.meter;
        if (meter.stale.length > 0 || meter.permanentlyFailed > 0 || meter.overPushedBuckets > 0) {
          logger.error(
            {
              stale: meter.stale,
              permanentlyFailed: meter.permanentlyFailed,
              overPushed: meter.overPushedBuckets,
            },
            'stripe meter pushes need attention',
          );
        }
      } catch (error) {
        logger.error({ err: (error as Error).message }, 'stripe sync failed');
      }
    }
    try {
      const alerts = await checkUsageAlerts(db, { now: now() });
      if (alerts.notified > 0) {
        logger.info({ fired: alerts.fired.length, notified: alerts.notified }, 'usage alerts sent');
      }
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'usage alert check failed');
    }
    try {
      const grace = await enforcePaymentGrace(db, { now: now() });
      if (grace.suspended.length > 0) {
        logger.warn({ suspended: grace.suspended }, 'subscriptions suspended after the payment grace period');
      }
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'payment grace check failed');
    }
  };

  const runOnce = () => {
    running = running.then(pass);
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void runOnce();
  }, options.intervalMs);
  timer.unref();
  void runOnce();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
