import type { LeaseReply, RedisLimitStore } from './redis.ts';
import { decide, gcraParams, type LimitDecision, type LimitRequest } from './types.ts';

/**
 * Local-first limits (Api.rateLimitAccuracy = LOCAL_FIRST): instead of one Redis round trip per request,
 * an instance leases a share of each limit from Redis — `units` requests' worth of every window and of
 * the quota, counted there at once by the same GCRA arithmetic as exact mode — and hands the units out
 * in process. A lease is renewed in the background when half of it is gone, so requests do not wait for
 * Redis; what is left of a lease when it expires is given back.
 *
 * The bound (docs/decisions/local-first-rate-limits.md): Redis counts every leased unit, so across any
 * number of instances the quota is never exceeded and a window admits nothing Redis did not grant. A
 * unit is handed out at most `leaseLifetimeMs` after Redis counted it, so in any span a window admits
 * at most what exact mode admits over that span plus the lease lifetime: an overshoot of at most
 * ⌈limit × lifetime / window⌉ requests, with the lifetime at most 1 % of the window (and ≤ 1 s), i.e.
 * at most ⌈1 % of the limit⌉. The cost is the other way: units leased and not yet used are unavailable
 * to other instances until used or given back (at most two leases per instance and key set).
 */

/** Longest a leased unit may wait to be handed out. */
const MAX_LEASE_MS = 1_000;
/** A lease lives at most this share of its shortest window: the overshoot bound in fractions of a limit. */
const LEASE_WINDOW_SHARE = 0.01;
/** Share of the tightest limit one lease asks for (at least one unit, at most MAX_LEASE_UNITS). */
const LEASE_LIMIT_SHARE = 0.01;
const MAX_LEASE_UNITS = 1_000;
/** Past this many tracked key sets, new ones are decided exactly (memory stays bounded). */
const MAX_GROUPS = 100_000;
const SWEEP_MS = 250;
/** A lease that could not be had this many times in a row sends the request to the exact path. */
const MAX_ATTEMPTS = 3;

/** How long a lease for `request` may be used: ≤ 1 % of its shortest window and ≤ 1 s. */
export function leaseLifetimeMs(request: Pick<LimitRequest, 'windows'>): number {
  let lifetime = MAX_LEASE_MS;
  for (const window of request.windows) {
    lifetime = Math.min(lifetime, window.windowSeconds * 1000 * LEASE_WINDOW_SHARE);
  }
  return Math.max(1, Math.floor(lifetime));
}

/** Units one lease asks for: 1 % of the tightest limit, between 1 and MAX_LEASE_UNITS. */
export function leaseUnits(request: Pick<LimitRequest, 'windows' | 'quota'>): number {
  let tightest = Number.POSITIVE_INFINITY;
  for (const window of request.windows) tightest = Math.min(tightest, window.limit);
  if (request.quota) tightest = Math.min(tightest, request.quota.limit);
  if (!Number.isFinite(tightest)) return MAX_LEASE_UNITS;
  return Math.max(1, Math.min(MAX_LEASE_UNITS, Math.floor(tightest * LEASE_LIMIT_SHARE)));
}

/** Requests a window may admit beyond exact mode, across all instances (see the module comment). */
export function overshootBound(
  window: { limit: number; windowSeconds: number },
  lifetimeMs = leaseLifetimeMs({ windows: [{ ...window, name: '', scope: 'subscription' }] }),
): number {
  return Math.ceil((window.limit * lifetimeMs) / (window.windowSeconds * 1000));
}

interface Lease {
  units: number;
  /** Handed out only before this instant (local clock, counted from when the lease was asked for). */
  expiresAtMs: number;
  /** Redis' answer: each window's TAT and the quota count after the grant, and its clock then. */
  tatsUs: number[];
  quotaUsed: number;
  nowUs: number;
  receivedAtMs: number;
}

interface Group {
  /** The request the group's leases are taken and given back for (same keys, windows and quota). */
  template: LimitRequest;
  leases: Lease[];
  fetching: Promise<void> | null;
  failed: boolean;
  /** A refusal from Redis, answered locally until it may have changed. */
  refusal: { decision: LimitDecision; untilMs: number } | null;
  lastUsedMs: number;
}

export interface LocalFirstOptions {
  now?: () => number;
  onError?: (error: unknown) => void;
}

/**
 * Decides LOCAL_FIRST requests from leases. `consume` answers null when a request must be decided the
 * exact way instead (Redis not available, no lease to be had): ResilientLimitStore then asks Redis and
 * applies the API's failure mode as for any request.
 */
export class LocalFirstLimits {
  private readonly groups = new Map<string, Group>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly now: () => number;
  /** Leases asked of Redis so far (tests and metrics read it). */
  leasesTaken = 0;

  constructor(
    private readonly redis: RedisLimitStore,
    private readonly options: LocalFirstOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  async consume(request: LimitRequest): Promise<LimitDecision | null> {
    if (!this.redis.available) return null;
    const group = this.groupOf(request);
    if (!group) return null;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.now();
      group.lastUsedMs = now;
      if (group.refusal) {
        if (now < group.refusal.untilMs) return group.refusal.decision;
        group.refusal = null;
      }
      const lease = this.usableLease(group, now);
      if (lease) {
        const decision = handOut(request, lease, now);
        if (!group.fetching && unitsLeft(group) <= leaseUnits(request) / 2) void this.fetch(group);
        return decision;
      }
      await (group.fetching ?? this.fetch(group));
      if (group.failed) break;
    }
    return null;
  }

  private groupOf(request: LimitRequest): Group | undefined {
    const keys = this.redis.keysOf(request);
    const id = `${keys.quota}:${request.quota?.limit ?? ''}|${keys.windows.join('|')}`;
    let group = this.groups.get(id);
    if (!group) {
      if (this.groups.size >= MAX_GROUPS) return undefined;
      group = {
        template: request,
        leases: [],
        fetching: null,
        failed: false,
        refusal: null,
        lastUsedMs: this.now(),
      };
      this.groups.set(id, group);
    }
    return group;
  }

  /** The oldest lease with units left, giving back expired ones on the way. */
  private usableLease(group: Group, now: number): Lease | undefined {
    while (group.leases.length > 0) {
      const lease = group.leases[0] as Lease;
      if (lease.units > 0 && now < lease.expiresAtMs) return lease;
      group.leases.shift();
      this.giveBack(group, lease.units);
    }
    return undefined;
  }

  private fetch(group: Group): Promise<void> {
    const request = { ...group.template, nowMs: this.now() };
    const askedAt = this.now();
    const lifetime = leaseLifetimeMs(request);
    this.leasesTaken++;
    const fetching = this.redis
      .lease(request, leaseUnits(request))
      .then(
        (reply: LeaseReply) => {
          group.failed = false;
          const receivedAt = this.now();
          if (reply.granted > 0) {
            group.leases.push({
              units: reply.granted,
              expiresAtMs: askedAt + lifetime,
              tatsUs: reply.tatsUs,
              quotaUsed: reply.quotaUsed,
              nowUs: reply.nowUs,
              receivedAtMs: receivedAt,
            });
          } else if (reply.refusal) {
            group.refusal = {
              decision: reply.refusal,
              untilMs: receivedAt + refusalHoldMs(reply.refusal, lifetime),
            };
          }
        },
        (error: unknown) => {
          group.failed = true;
          this.options.onError?.(error);
        },
      )
      .finally(() => {
        group.fetching = null;
      });
    group.fetching = fetching;
    return fetching;
  }

  private giveBack(group: Group, units: number): void {
    if (units <= 0) return;
    this.redis
      .release({ ...group.template, nowMs: this.now() }, units)
      .catch((error: unknown) => this.options.onError?.(error));
  }

  /** Gives back expired leases and forgets idle key sets. */
  private sweep(): void {
    const now = this.now();
    for (const [id, group] of this.groups) {
      this.usableLease(group, now);
      const idle = group.leases.length === 0 && !group.fetching && now - group.lastUsedMs > MAX_LEASE_MS;
      if (idle && (!group.refusal || now >= group.refusal.untilMs)) this.groups.delete(id);
    }
  }

  /** Gives back every unit still held (shutdown), so other instances can use them at once. */
  async releaseAll(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const group of this.groups.values()) {
      await group.fetching;
      const units = group.leases.reduce((sum, lease) => sum + lease.units, 0);
      group.leases = [];
      if (units > 0) {
        pending.push(
          this.redis
            .release({ ...group.template, nowMs: this.now() }, units)
            .catch((error: unknown) => this.options.onError?.(error)),
        );
      }
    }
    this.groups.clear();
    await Promise.all(pending);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.releaseAll();
  }
}

function unitsLeft(group: Group): number {
  let units = 0;
  for (const lease of group.leases) units += lease.units;
  return units;
}

/**
 * One unit of `lease` as the request's decision. Headers are figured from the lease as Redis answered
 * it, as if the units before this one were all that happened since: approximate, as this mode is.
 */
function handOut(request: LimitRequest, lease: Lease, now: number): LimitDecision {
  const left = lease.units;
  lease.units -= 1;
  const nowUs = lease.nowUs + (now - lease.receivedAtMs) * 1000;
  const tatsBefore = request.windows.map(
    (window, i) => (lease.tatsUs[i] ?? nowUs) - left * gcraParams(window).intervalUs,
  );
  const decision = decide(
    { ...request, nowMs: nowUs / 1000 },
    'allowed',
    lease.quotaUsed - left + 1,
    tatsBefore,
  );
  if (decision.quota && request.quota) decision.quota.resetMs = Math.max(0, request.quota.resetAtMs - now);
  return decision;
}

/** How long a refusal is answered without asking Redis again: until it would lift, within a lease's life. */
function refusalHoldMs(refusal: LimitDecision, lifetimeMs: number): number {
  if (refusal.outcome !== 'rate_limited') return lifetimeMs;
  let retryAfter = 0;
  for (const window of refusal.windows) retryAfter = Math.max(retryAfter, window.retryAfterMs);
  return Math.max(1, Math.min(lifetimeMs, retryAfter));
}
