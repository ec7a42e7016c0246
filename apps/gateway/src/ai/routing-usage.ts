import type { Cluster, Redis } from 'ioredis';

/*
 * Usage-based routing's counters: requests and tokens per route target per minute, shared by every
 * gateway through Redis when one is configured (gateways calling one provider account share its limits),
 * in this process otherwise. A pick reads the candidates' counters, chooses the least used one under its
 * limits and counts the request, all in one step (one Lua script in one Redis round trip), so two gateways
 * cannot both take a provider's last request of the minute. Tokens are only known when a call ends: they
 * are added then, so calls in flight can overshoot `tpm` by what they use (never `rpm`). Windows are whole
 * UTC minutes, as providers' per-minute limits are usually described.
 */

export interface UsageCandidate {
  /** targetKey(orgId, target) */
  key: string;
  /** the API's org: all of a pick's counters share its Redis Cluster slot */
  orgId: string;
  rpm: number | undefined;
  tpm: number | undefined;
  /** 0: a weighted target, 1: fallback only (weight 0), picked only when no weighted one is under its limits */
  tier: number;
}

/** The candidate counted, or how long until the minute ends when every one is at its limit. */
export type UsagePick = { index: number } | { retryAfterMs: number };

export interface RouteUsageStore {
  /** Picks (and counts a request on) the least used candidate under its limits; -1 when none is. */
  pick(candidates: readonly UsageCandidate[]): Promise<UsagePick>;
  /** Adds a finished call's tokens to its target's counter for the current minute. */
  addTokens(candidate: UsageCandidate, tokens: number): Promise<void>;
}

const MINUTE_MS = 60_000;
/** Counters outlive their minute a little, so a late token add never starts a fresh key for it. */
const TTL_MS = 2 * MINUTE_MS;

const minuteOf = (nowMs: number): number => Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;

/** Lower is less used; Infinity when at or over a limit. Unlimited targets are never used up. */
function usageShare(candidate: UsageCandidate, requests: number, tokens: number): number {
  const { rpm, tpm } = candidate;
  if ((rpm !== undefined && requests >= rpm) || (tpm !== undefined && tokens >= tpm)) return Infinity;
  return Math.max(rpm ? requests / rpm : 0, tpm ? tokens / tpm : 0);
}

/** The index of the best candidate given each one's share (lowest tier, then lowest share, then first). */
function bestCandidate(candidates: readonly UsageCandidate[], shares: readonly number[]): number {
  let best = -1;
  for (const [i, candidate] of candidates.entries()) {
    const share = shares[i] ?? Infinity;
    if (share === Infinity) continue;
    const current = candidates[best];
    if (
      !current ||
      candidate.tier < current.tier ||
      (candidate.tier === current.tier && share < (shares[best] ?? Infinity))
    )
      best = i;
  }
  return best;
}

/** Single-gateway mode: counters in this process. */
export class MemoryRouteUsage implements RouteUsageStore {
  private readonly counters = new Map<string, { minute: number; requests: number; tokens: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  private counter(key: string) {
    const minute = minuteOf(this.now());
    let counter = this.counters.get(key);
    if (!counter || counter.minute !== minute) {
      counter = { minute, requests: 0, tokens: 0 };
      this.counters.set(key, counter);
      if (this.counters.size > 20_000) {
        for (const [k, c] of this.counters) if (c.minute < minute) this.counters.delete(k);
      }
    }
    return counter;
  }

  pick(candidates: readonly UsageCandidate[]): Promise<UsagePick> {
    const counters = candidates.map((c) => this.counter(c.key));
    const shares = candidates.map((c, i) =>
      usageShare(c, counters[i]?.requests ?? 0, counters[i]?.tokens ?? 0),
    );
    const index = bestCandidate(candidates, shares);
    if (index === -1) return Promise.resolve({ retryAfterMs: untilNextMinute(this.now()) });
    (counters[index] as { requests: number }).requests++;
    return Promise.resolve({ index });
  }

  addTokens(candidate: UsageCandidate, tokens: number): Promise<void> {
    if (tokens > 0) this.counter(candidate.key).tokens += tokens;
    return Promise.resolve();
  }
}

const untilNextMinute = (nowMs: number): number => minuteOf(nowMs) + MINUTE_MS - nowMs;

/*
 * KEYS: per candidate its requests and tokens counters. ARGV: the TTL, then per candidate rpm, tpm (0 =
 * no limit) and tier. Returns the 0-based index of the candidate counted, or -1. Shares compare as Lua
 * numbers (doubles), as usageShare does.
 */
const PICK_SCRIPT = `
local best, bestTier, bestShare = -1, 0, 0
for i = 1, #KEYS / 2 do
  local rpm = tonumber(ARGV[3 * i - 1])
  local tpm = tonumber(ARGV[3 * i])
  local tier = tonumber(ARGV[3 * i + 1])
  local requests = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local tokens = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  if (rpm == 0 or requests < rpm) and (tpm == 0 or tokens < tpm) then
    local share = 0
    if rpm > 0 then share = requests / rpm end
    if tpm > 0 and tokens / tpm > share then share = tokens / tpm end
    if best == -1 or tier < bestTier or (tier == bestTier and share < bestShare) then
      best, bestTier, bestShare = i, tier, share
    end
  end
end
if best == -1 then return -1 end
redis.call('INCR', KEYS[2 * best - 1])
redis.call('PEXPIRE', KEYS[2 * best - 1], ARGV[1])
return best - 1
`;

type ScriptedRedis = (Redis | Cluster) & {
  routePick(numKeys: number, ...args: (string | number)[]): Promise<number>;
};

/**
 * Shared counters in Redis. Keys are hash-tagged on the API's org, so a pick's keys (one route, one org)
 * live in one Redis Cluster slot; the credential id (an id of that org) and the model name follow.
 */
export class RedisRouteUsage implements RouteUsageStore {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis | Cluster,
    private readonly now: () => number = Date.now,
  ) {
    redis.defineCommand('routePick', { lua: PICK_SCRIPT });
    this.redis = redis as ScriptedRedis;
  }

  private keys(candidate: UsageCandidate, minute: number): [string, string] {
    const [, credentialId, model] = candidate.key.split('\u0000');
    const base = `ai:route:{${candidate.orgId}}:${credentialId}:${model}:${minute}`;
    return [`${base}:requests`, `${base}:tokens`];
  }

  async pick(candidates: readonly UsageCandidate[]): Promise<UsagePick> {
    const nowMs = this.now();
    const minute = minuteOf(nowMs);
    const keys = candidates.flatMap((c) => this.keys(c, minute));
    const args = candidates.flatMap((c) => [c.rpm ?? 0, c.tpm ?? 0, c.tier]);
    const index = Number(await this.redis.routePick(keys.length, ...keys, TTL_MS, ...args));
    return index === -1 ? { retryAfterMs: untilNextMinute(nowMs) } : { index };
  }

  async addTokens(candidate: UsageCandidate, tokens: number): Promise<void> {
    if (tokens <= 0) return;
    const [, key] = this.keys(candidate, minuteOf(this.now()));
    await this.redis.multi().incrby(key, tokens).pexpire(key, TTL_MS).exec();
  }
}
