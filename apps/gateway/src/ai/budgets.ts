import {
  type AiLimit,
  type AiLimits,
  costMicros,
  type ModelPrice,
  usdToMicros,
} from '@portcullis/core/ai-config';
import { err, ok, type Result } from '../result.ts';
import { AddBacklog } from './budget-backlog.ts';
import type { BudgetCounterStore, CounterReservation } from './budget-stores.ts';
import { type AiFailure, aiFailure } from './errors.ts';

/*
 * Token limits and USD budgets (Plan.aiLimits), per key, app or consumer org, over a minute, a UTC day or
 * a UTC calendar month. A limit belongs to its plan (and through it to one API of one tenant), so every
 * counter is kept within that plan: a key's calls to one API never use up its limit on another, and a
 * consumer org subscribed to two tenants' APIs has a separate budget on each.
 *
 * Reserved at admission, settled at completion. Every call reserves its worst case before the provider
 * is called: its counted input tokens plus its output cap (the caller's max_tokens, else the model's
 * output cap, else DEFAULT_OUTPUT_CAP; that cap is then sent to the provider as max_tokens), and that
 * worst case priced with the most expensive target of its route. A counter takes a reservation only if
 * it stays within its limit, in one atomic step per counter (a Lua script in Redis; synchronous in
 * memory); the call's counters are reserved together and the ones taken are given back if another
 * refuses. So the calls admitted at once never exceed a limit together: concurrency cannot overshoot it.
 * A refusal is a 429 (`token_limit_exceeded` / `budget_exceeded`, Retry-After to the window's end); a
 * call whose worst case alone exceeds a limit is refused with a message to lower max_tokens.
 *
 * At completion the reservation is settled to what the call really used (the counters move by actual −
 * reserved), a client abort mid-stream included (settled with what was used up to then); a call that
 * fails before any usage releases it. Exactly once per call: settle and release after the first are
 * no-ops. Residual overshoot: input tokens are an estimate (gpt-tokenizer), so a call can use more than
 * it reserved by the estimate's error; a call settles in the window it was admitted in.
 * A crashed gateway never settles: its reservations stay counted until their windows end (at most the
 * worst cases of the calls it had in flight, for at most one window). The counters fail open: while the
 * store is unreachable calls are admitted unreserved; a settle or release the store cannot take waits in
 * a bounded backlog (budget-backlog.ts) and is retried until it lands, so usage is added when it can be.
 *
 * API (AiCalls.reserve in service.ts wraps it for a request and a model route):
 *   budgets.reserve(limits, callers, { tokens, costMicros }) → Result<Reservation, AiFailure>
 *   reservation.settle(tokensUsed, costMicrosUsed) | reservation.release() | reservation.keep()
 */

/** The output tokens a call may produce when neither the caller nor the model's price row caps them. */
export const DEFAULT_OUTPUT_CAP = 4096;

/** A call's worst case as reserved: tokens in + out, and their cost at the most expensive target. */
export interface WorstCase {
  tokens: number;
  costMicros: bigint;
}

/** What a call holds of its plan's limits between admission and completion. */
export interface Reservation {
  /** false when no limit applies to the caller: settle and release do nothing */
  readonly limited: boolean;
  /** Moves every counter from the reserved worst case to what the call used. */
  settle(tokens: number, costMicros: bigint): void;
  /** Gives the whole reservation back (the call used nothing). */
  release(): void;
  /** Settles at the reserved worst case: what a call the provider may bill, unseen, is counted at. */
  keep(): void;
}

const UNLIMITED: Reservation = {
  limited: false,
  settle: () => undefined,
  release: () => undefined,
  keep: () => undefined,
};

/**
 * The output tokens to reserve and cap: the caller's own cap, else the smallest output cap among the
 * route's models (every target must accept it as max_tokens), else DEFAULT_OUTPUT_CAP.
 */
export function outputCap(requested: number | null | undefined, prices: readonly (ModelPrice | undefined)[]) {
  if (requested !== null && requested !== undefined) return requested;
  const caps = prices.flatMap((p) => (p?.maxOutputTokens ? [p.maxOutputTokens] : []));
  return caps.length > 0 ? Math.min(...caps) : DEFAULT_OUTPUT_CAP;
}

/** The cost of a worst case at the most expensive of the route's prices (no price row costs 0). */
export function worstCost(
  inputTokens: number,
  outputTokens: number,
  prices: readonly (ModelPrice | undefined)[],
) {
  let worst = 0n;
  for (const price of prices) {
    const cost = costMicros(inputTokens, outputTokens, price);
    if (cost > worst) worst = cost;
  }
  return worst;
}

export interface BudgetCallers {
  /** the plan whose limits apply (it belongs to one API of one tenant) */
  planId: string;
  /** the subscription (app × plan) the call was admitted under */
  subscriptionId: string;
  keyId: string;
  /** the consumer org of the subscription's app */
  orgId: string | undefined;
}

function windowBounds(window: AiLimit['window'], nowMs: number): { start: number; end: number } {
  if (window === 'minute') {
    const start = Math.floor(nowMs / 60_000) * 60_000;
    return { start, end: start + 60_000 };
  }
  const d = new Date(nowMs);
  if (window === 'day') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return { start, end: start + 86_400_000 };
  }
  return {
    start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
}

/**
 * Whose counter a limit reads, within its plan: `key` → that key within its subscription, `app` → the
 * subscription (app × plan), `org` → the consumer org within the plan. undefined when the caller has no
 * such owner (a key without a known consumer org).
 */
function owner(limit: AiLimit, callers: BudgetCallers): string | undefined {
  switch (limit.scope) {
    case 'key':
      return `plan:${callers.planId}:sub:${callers.subscriptionId}:key:${callers.keyId}`;
    case 'app':
      return `plan:${callers.planId}:sub:${callers.subscriptionId}`;
    case 'org':
      return callers.orgId ? `plan:${callers.planId}:org:${callers.orgId}` : undefined;
  }
}

/**
 * One counter per owner, metric, window kind and window start, hash-tagged on the owner (one Redis
 * Cluster slot per counter). Counters written under the earlier format (`ai:{<scope>:<id>}:…`, without
 * the plan) are no longer read and simply expire with their windows.
 */
const counterKey = (limit: AiLimit, ownerId: string, windowStart: number): string =>
  `ai:{${ownerId}}:${limit.metric}:${limit.window}:${windowStart}`;

const limitAmount = (limit: AiLimit): bigint =>
  limit.metric === 'usd' ? usdToMicros(limit.limit) : BigInt(limit.limit);

const describeLimit = (limit: AiLimit): string =>
  `${limit.metric === 'usd' ? 'USD budget' : 'token limit'} of ${limit.limit} per ${limit.window} per ${limit.scope}`;

const refusalCode = (limit: AiLimit) => (limit.metric === 'usd' ? 'budget_exceeded' : 'token_limit_exceeded');

interface Counter extends CounterReservation {
  limitOf: AiLimit;
  windowEnd: number;
}

export class AiBudgets {
  /** settles and releases the store could not apply, retried until it answers again */
  private readonly backlog: AddBacklog;

  constructor(
    private readonly store: BudgetCounterStore,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.backlog = new AddBacklog({ add: (entry) => store.add([entry]), now, onError });
  }

  /**
   * Reserves a call's worst case on every counter of the plan's limits, or refuses it (429) when one
   * has not enough left. Fails open (an unreserved call, counted at settle) if the store is unreachable.
   */
  async reserve(
    limits: AiLimits,
    callers: BudgetCallers,
    worst: WorstCase,
  ): Promise<Result<Reservation, AiFailure>> {
    if (limits.length === 0) return ok(UNLIMITED);
    const nowMs = this.now();
    // Limits of the same metric, window and scope share one counter: it is reserved once, against the
    // smallest of them (reserving it once per limit would count every call twice).
    const byKey = new Map<string, Counter>();
    for (const limit of limits) {
      const id = owner(limit, callers);
      if (!id) continue;
      const bounds = windowBounds(limit.window, nowMs);
      const amount = limit.metric === 'usd' ? worst.costMicros : BigInt(worst.tokens);
      // Kept a minute past the window's end so a late settle cannot resurrect a fresh key for an old window.
      const ttlMs = bounds.end - nowMs + 60_000;
      const key = counterKey(limit, id, bounds.start);
      const max = limitAmount(limit);
      const seen = byKey.get(key);
      if (seen && seen.limit <= max) continue;
      byKey.set(key, { key, amount, limit: max, ttlMs, limitOf: limit, windowEnd: bounds.end });
    }
    const counters = [...byKey.values()];
    if (counters.length === 0) return ok(UNLIMITED);
    const tooLarge = counters.find((c) => c.amount > c.limit);
    if (tooLarge) {
      const size =
        tooLarge.limitOf.metric === 'usd'
          ? `may cost up to ${Number(tooLarge.amount) / 1e6} USD`
          : `may use up to ${tooLarge.amount} tokens`;
      return err(
        aiFailure(
          429,
          refusalCode(tooLarge.limitOf),
          `This call ${size} (its input plus max_tokens), more than the whole ${describeLimit(tooLarge.limitOf)}: lower max_tokens.`,
          { param: 'max_tokens', headers: { 'x-should-retry': 'false' } },
        ),
      );
    }
    let refused: number;
    try {
      refused = await this.store.reserve(counters);
    } catch (error) {
      // Budgets fail open: an unreachable counter store must not take every AI call down with it.
      this.onError(error);
      return ok(this.reservation(counters.map((c) => ({ ...c, amount: 0n }))));
    }
    const full = counters[refused];
    if (full) {
      const retryAfter = String(Math.max(1, Math.ceil((full.windowEnd - nowMs) / 1000)));
      return err(
        aiFailure(
          429,
          refusalCode(full.limitOf),
          `The ${describeLimit(full.limitOf)} has not enough left for this call's worst case (its input plus max_tokens); it resets at ${new Date(full.windowEnd).toISOString()}.`,
          { headers: { 'retry-after': retryAfter } },
        ),
      );
    }
    return ok(this.reservation(counters));
  }

  /** Settles or releases `counters` (holding their reserved amounts) exactly once. */
  private reservation(counters: readonly Counter[]): Reservation {
    let done = false;
    const move = (delta: (c: Counter) => bigint) => {
      if (done) return;
      done = true;
      const nowMs = this.now();
      const entries = counters.flatMap((c) => {
        const amount = delta(c);
        return amount === 0n
          ? []
          : [{ key: c.key, amount, ttlMs: Math.max(1, c.windowEnd - nowMs + 60_000) }];
      });
      this.backlog.submit(entries);
    };
    return {
      limited: true,
      settle: (tokens, cost) => move((c) => (c.limitOf.metric === 'usd' ? cost : BigInt(tokens)) - c.amount),
      release: () => move((c) => -c.amount),
      keep: () => move(() => 0n),
    };
  }

  async close(): Promise<void> {
    await this.backlog.close();
    await this.store.close();
  }
}
