import { closeDuePeriods } from '@portcullis/billing/invoicing';
import { enforcePaymentGrace } from '@portcullis/billing/stripe-sync/grace';
import { syncStripe } from '@portcullis/billing/stripe-sync/sync';
import type { EncryptionKey } from '@portcullis/core/crypto';
import type { Db } from '@portcullis/db';
import type { Logger } from 'pino';

export interface BillingJobsOptions {
  db: Db;
  logger: Logger;
  intervalMs: number;
  /** Absent: Stripe sync is skipped (local invoices still close). */
  encryptionKey: EncryptionKey | undefined;
  stripeApiBase: string | undefined;
  now?: () => Date;
}

export interface BillingJobs {
  /** One pass of every job, in order; what the timer runs. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Period close (local invoices), Stripe sync (catalog, customers, aggregated meter events) and the
 * payment grace check, one after another on a timer. Each job is idempotent and safe to run from several
 * workers at once (advisory locks, unique keys), so a crash mid-pass just means the next pass redoes it.
 */
export function startBillingJobs(options: BillingJobsOptions): BillingJobs {
  const { db, logger } = options;
  const now = options.now ?? (() => new Date());
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const pass = async () => {
    try {
      const closed = await closeDuePeriods(db, { now: now() });
      if (closed.invoicesCreated > 0 || closed.skipped.length > 0) {
        logger.info(
          {
            invoices: closed.invoicesCreated,
            totals: Object.fromEntries(
              Object.entries(closed.totalsByCurrency).map(([c, v]) => [c, String(v)]),
            ),
            skipped: closed.skipped,
          },
          'billing periods closed',
        );
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
