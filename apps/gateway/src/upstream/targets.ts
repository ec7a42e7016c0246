import type { UpstreamConfig, UpstreamTarget } from '@portcullis/core/policies';
import { Balancer, type Candidate } from './balancer.ts';
import { type BreakerState, CircuitBreaker } from './breaker.ts';
import { TargetHealth } from './health.ts';
import { RetryBudget } from './retry-budget.ts';

export interface TargetState extends Candidate {
  /** the target's URL as configured */
  id: string;
  origin: string;
  basePath: string;
  breaker: CircuitBreaker;
  health: TargetHealth;
  nextProbeAt: number;
  probing: boolean;
}

/** The targets of one route (an API, or one version of it), with balancing, breakers and retry budget. */
export interface TargetGroup {
  key: string;
  config: UpstreamConfig;
  targets: TargetState[];
  balancer: Balancer;
  budget: RetryBudget;
  lastUsedAt: number;
  signature: string;
}

export type Selection = { ok: true; target: TargetState } | { ok: false; retryAfterMs: number };

// Active health checks run only for routes that had traffic this recently (and at least 5 intervals).
const RECENT_TRAFFIC_MS = 60_000;
// Route state unused this long is dropped (it is rebuilt on the next request).
const IDLE_GROUP_MS = 10 * 60_000;
const HEALTH_TICK_MS = 100;

function parseTarget(spec: UpstreamTarget): { id: string; origin: string; basePath: string } | null {
  if (!URL.canParse(spec.url)) return null;
  const url = new URL(spec.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return { id: spec.url, origin: url.origin, basePath: url.pathname };
}

/**
 * Per-route upstream state, keyed by route: rebuilt when the route's targets or upstream settings
 * change, kept (with breaker and health state) while they do not.
 */
export class TargetRegistry {
  private readonly groups = new Map<string, TargetGroup>();
  private readonly sources = new WeakMap<TargetGroup, { config: UpstreamConfig; upstreamUrl: string }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      now?: () => number;
      onBreakerChange?: (from: BreakerState, to: BreakerState) => void;
    } = {},
  ) {}

  /**
   * The state of route `key`. `specs` lists its targets; it is only called when the route's config object
   * or upstream URL changed (the route cache hands out the same objects until it refreshes).
   */
  group(
    key: string,
    config: UpstreamConfig,
    upstreamUrl: string,
    specs: () => readonly UpstreamTarget[],
  ): TargetGroup {
    const existing = this.groups.get(key);
    const source = existing && this.sources.get(existing);
    if (existing && source?.config === config && source.upstreamUrl === upstreamUrl) {
      existing.lastUsedAt = this.now();
      return existing;
    }
    const targets = specs();
    const signature = JSON.stringify([targets, config]);
    const group =
      existing && existing.signature === signature ? existing : this.build(key, targets, config, signature);
    group.lastUsedAt = this.now();
    this.groups.set(key, group);
    this.sources.set(group, { config, upstreamUrl });
    return group;
  }

  /**
   * A target for the next attempt: breaker closed (or half-open with its probe slot free), preferring
   * targets not tried yet and healthy ones; when every candidate is unhealthy, one of them anyway (fail
   * open). Only when every breaker refuses is there no target.
   */
  select(group: TargetGroup, tried: ReadonlySet<string>): Selection {
    const usable = group.targets.filter((t) => t.breaker.available);
    if (usable.length === 0) {
      const waits = group.targets.map((t) => t.breaker.retryAfterMs).filter((ms) => ms > 0);
      return {
        ok: false,
        retryAfterMs: waits.length > 0 ? Math.min(...waits) : group.config.circuitBreaker.openMs,
      };
    }
    const untried = usable.filter((t) => !tried.has(t.id));
    const pool = untried.length > 0 ? untried : usable;
    const healthy = pool.filter((t) => t.health.isHealthy);
    const target = group.balancer.pick(healthy.length > 0 ? healthy : pool);
    if (!target?.breaker.acquire()) return { ok: false, retryAfterMs: group.config.circuitBreaker.openMs };
    return { ok: true, target };
  }

  /** Breakers currently not closed, for the gauge. */
  openBreakerCount(): number {
    let open = 0;
    for (const group of this.groups.values()) {
      for (const target of group.targets) if (target.breaker.state !== 'closed') open += 1;
    }
    return open;
  }

  /** Runs active health checks for recently used routes that enable them; `probe` resolves healthy or not. */
  startHealthChecks(probe: (group: TargetGroup, target: TargetState) => Promise<boolean>): void {
    this.timer = setInterval(() => this.tick(probe), HEALTH_TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(probe: (group: TargetGroup, target: TargetState) => Promise<boolean>): void {
    const now = this.now();
    for (const [key, group] of this.groups) {
      const idle = now - group.lastUsedAt;
      if (idle > IDLE_GROUP_MS) {
        this.groups.delete(key);
        continue;
      }
      const check = group.config.healthCheck;
      if (!check.enabled || idle > Math.max(RECENT_TRAFFIC_MS, 5 * check.intervalMs)) continue;
      for (const target of group.targets) {
        if (target.probing || now < target.nextProbeAt) continue;
        target.nextProbeAt = now + check.intervalMs;
        target.probing = true;
        probe(group, target)
          .catch(() => false)
          .then((healthy) => (healthy ? target.health.onSuccess() : target.health.onFailure()))
          .finally(() => {
            target.probing = false;
          });
      }
    }
  }

  private build(key: string, specs: readonly UpstreamTarget[], config: UpstreamConfig, signature: string) {
    const now = this.options.now ?? Date.now;
    const parsed = specs.flatMap((spec) => {
      const target = parseTarget(spec);
      return target ? [{ ...target, weight: spec.weight }] : [];
    });
    // Weight 0 drains a target; if every target is drained, they share the traffic equally.
    const weighted = parsed.filter((t) => t.weight > 0);
    const chosen = weighted.length > 0 ? weighted : parsed.map((t) => ({ ...t, weight: 1 }));
    const targets: TargetState[] = chosen.map((t) => ({
      ...t,
      inFlight: 0,
      breaker: new CircuitBreaker(config.circuitBreaker, now, this.options.onBreakerChange),
      health: new TargetHealth(config.healthCheck, config.circuitBreaker.openMs, now),
      nextProbeAt: 0,
      probing: false,
    }));
    return {
      key,
      config,
      targets,
      balancer: new Balancer(config.loadBalancing),
      budget: new RetryBudget(config.retries.budgetPercent, { now }),
      lastUsedAt: now(),
      signature,
    };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
