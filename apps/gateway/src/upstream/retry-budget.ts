/**
 * Per-route retry budget: retries may be at most `percent` of the requests seen in the last `windowMs`
 * (in one-second buckets), so a failing upstream is not hit with a multiple of its normal load. A small
 * floor (`minRetries` per window) lets a quiet route still retry; percent 0 disables retries entirely.
 */
export class RetryBudget {
  private readonly buckets: { at: number; requests: number; retries: number }[] = [];

  constructor(
    private readonly percent: number,
    private readonly options: { windowMs?: number; minRetries?: number; now?: () => number } = {},
  ) {}

  recordRequest(): void {
    this.bucket().requests += 1;
  }

  /** Takes one retry from the budget; false when spent. */
  tryRetry(): boolean {
    if (this.percent <= 0) return false;
    const { requests, retries } = this.totals();
    const allowed = Math.max(this.options.minRetries ?? 3, (requests * this.percent) / 100);
    if (retries + 1 > allowed) return false;
    this.bucket().retries += 1;
    return true;
  }

  private totals(): { requests: number; retries: number } {
    this.expire();
    let requests = 0;
    let retries = 0;
    for (const bucket of this.buckets) {
      requests += bucket.requests;
      retries += bucket.retries;
    }
    return { requests, retries };
  }

  private bucket() {
    this.expire();
    const at = Math.floor(this.now() / 1_000);
    let last = this.buckets.at(-1);
    if (!last || last.at !== at) {
      last = { at, requests: 0, retries: 0 };
      this.buckets.push(last);
    }
    return last;
  }

  private expire(): void {
    const oldest = Math.floor((this.now() - (this.options.windowMs ?? 10_000)) / 1_000);
    while (this.buckets.length > 0 && (this.buckets[0]?.at ?? 0) <= oldest) this.buckets.shift();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
