/** Requests Postgres holds for a subscription's billing period, read from Postgres (not a cache). */
export type PeriodUsageReader = (subscriptionId: string, periodStartMs: number) => Promise<number>;

export interface UsageFiguresOptions {
  /** How long a caller waits for a read before going on without it (the read carries on). */
  waitMs: number;
  /** After a failed read, no new one for this long: callers go on with the figures they have. */
  retryMs: number;
  now: () => number;
  onError?: (error: unknown) => void;
}

interface Entry {
  /** The latest figure read, and when the read that returned it started. */
  usage?: number;
  readStartedAt?: number;
  pending?: { startedAt: number; done: Promise<void> };
  failedAt?: number;
}

// Far more subscriptions than one gateway serves in a period; beyond it the figures start over.
const MAX_ENTRIES = 100_000;
const key = (subscriptionId: string, periodStartMs: number) => `${subscriptionId}:${periodStartMs}`;

/**
 * Fresh usage figures for quota counters around a Redis outage: one read at a time per counter, callers
 * waiting a bounded time for it, so a slow or unreachable Postgres costs each request at most `waitMs`
 * and then not even that (its read goes on in the background; a failed one is not retried for
 * `retryMs`). Usage within a period only grows, so every figure read is a lower bound of it.
 */
export class UsageFigures {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly read: PeriodUsageReader,
    private readonly options: UsageFiguresOptions,
  ) {}

  /**
   * A figure from a read started at or after `notBefore`: the latest one if it is that recent, otherwise
   * from a read started now, waited for at most `waitMs`. undefined when none arrives in time.
   */
  async fresh(subscriptionId: string, periodStartMs: number, notBefore: number): Promise<number | undefined> {
    const id = key(subscriptionId, periodStartMs);
    let entry = this.entries.get(id);
    if (!entry) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      entry = {};
      this.entries.set(id, entry);
    }
    if (entry.readStartedAt !== undefined && entry.readStartedAt >= notBefore) return entry.usage;
    const now = this.options.now();
    if (!entry.pending) {
      if (entry.failedAt !== undefined && now - entry.failedAt < this.options.retryMs) return undefined;
      this.start(entry, subscriptionId, periodStartMs, now);
    }
    const pending = entry.pending;
    // A read started before `notBefore` (still hanging) cannot answer; it is not doubled either.
    if (!pending || pending.startedAt < notBefore) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.waitMs);
    });
    await Promise.race([pending.done, timedOut]);
    clearTimeout(timer);
    return entry.readStartedAt !== undefined && entry.readStartedAt >= notBefore ? entry.usage : undefined;
  }

  /** The latest figure read for the counter, however old (still a lower bound of the period's usage). */
  latest(subscriptionId: string, periodStartMs: number): number | undefined {
    return this.entries.get(key(subscriptionId, periodStartMs))?.usage;
  }

  private start(entry: Entry, subscriptionId: string, periodStartMs: number, startedAt: number): void {
    // new Promise: a reader that throws instead of rejecting still ends up in the failure branch.
    const read = new Promise<number>((resolve) => resolve(this.read(subscriptionId, periodStartMs)));
    const done = read.then(
      (usage) => {
        // A slower, older read never replaces a newer figure.
        if (entry.readStartedAt === undefined || startedAt >= entry.readStartedAt) {
          entry.usage = Math.max(usage, entry.usage ?? 0);
          entry.readStartedAt = startedAt;
        }
        entry.failedAt = undefined;
      },
      (error: unknown) => {
        entry.failedAt = this.options.now();
        this.options.onError?.(error);
      },
    );
    entry.pending = {
      startedAt,
      done: done.finally(() => {
        entry.pending = undefined;
      }),
    };
  }
}
