/** One unconditional counter move, as BudgetCounterStore.add takes it. */
export interface CounterAdd {
  key: string;
  amount: bigint;
  ttlMs: number;
}

export interface AddBacklogOptions {
  /** applies one counter move (a single key: all or nothing) */
  add: (entry: CounterAdd) => Promise<void>;
  now: () => number;
  onError: (error: unknown) => void;
  /** counters kept waiting at most; beyond it the oldest are dropped with a warning */
  maxKeys?: number;
  firstRetryMs?: number;
  maxRetryMs?: number;
}

interface Pending {
  amount: bigint;
  /** when the counter's key expires anyway: a move still waiting then has nothing left to correct */
  expiresAt: number;
}

/**
 * Counter moves (settles, releases, rollbacks) that the store could not apply, retried in the background
 * until it answers again. Moves on one counter add up into one, so the backlog holds at most one entry
 * per counter; it is bounded (oldest dropped, with a warning), and moves whose counter has expired in
 * the meantime are dropped as moot. Each entry is applied on its own, so a retry never repeats a move
 * that already landed.
 */
export class AddBacklog {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private retryMs: number;
  private readonly maxKeys: number;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;

  constructor(private readonly options: AddBacklogOptions) {
    this.maxKeys = options.maxKeys ?? 10_000;
    this.firstRetryMs = options.firstRetryMs ?? 100;
    this.maxRetryMs = options.maxRetryMs ?? 5_000;
    this.retryMs = this.firstRetryMs;
  }

  /** counters with a move waiting */
  get size(): number {
    return this.pending.size;
  }

  /** Applies `entries` now; the ones the store refuses wait for a retry. */
  submit(entries: readonly CounterAdd[]): void {
    for (const entry of entries) {
      this.options.add(entry).catch((error: unknown) => {
        this.options.onError(error);
        this.keep(entry);
      });
    }
  }

  /** Queues a move for the next retry without trying it first. */
  keep(entry: CounterAdd): void {
    this.queue(entry);
    this.schedule();
  }

  private queue(entry: CounterAdd): void {
    if (entry.ttlMs <= 0) return;
    const expiresAt = this.options.now() + entry.ttlMs;
    const waiting = this.pending.get(entry.key);
    this.pending.delete(entry.key);
    const amount = (waiting?.amount ?? 0n) + entry.amount;
    if (amount !== 0n) {
      this.pending.set(entry.key, { amount, expiresAt: Math.max(expiresAt, waiting?.expiresAt ?? 0) });
    }
    if (this.pending.size > this.maxKeys) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
      this.options.onError(
        new Error(`AI budget backlog full (${this.maxKeys} counters): dropped the oldest pending move`),
      );
    }
  }

  private schedule(): void {
    if (this.timer || this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().then((failed) => {
        this.retryMs = failed ? Math.min(this.maxRetryMs, this.retryMs * 2) : this.firstRetryMs;
        this.schedule();
      });
    }, this.retryMs);
    this.timer.unref();
  }

  /** Tries every waiting move once; resolves whether any still failed (they wait for the next try). */
  async flush(): Promise<boolean> {
    if (this.pending.size === 0) return false;
    const nowMs = this.options.now();
    const batch = [...this.pending.entries()];
    this.pending.clear();
    const results = await Promise.allSettled(
      batch.map(([key, { amount, expiresAt }]) =>
        expiresAt <= nowMs ? Promise.resolve() : this.options.add({ key, amount, ttlMs: expiresAt - nowMs }),
      ),
    );
    let failure: { reason: unknown } | null = null;
    results.forEach((result, i) => {
      const [key, { amount, expiresAt }] = batch[i] as [string, Pending];
      if (result.status === 'fulfilled') return;
      failure = result;
      this.queue({ key, amount, ttlMs: expiresAt - this.options.now() });
    });
    if (failure) this.options.onError((failure as { reason: unknown }).reason);
    return failure !== null;
  }

  /** Stops retrying after one last try (on shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
