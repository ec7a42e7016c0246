import type { ModelRoute, RouteTarget } from '@portcullis/core/ai-config';
import type { TargetStats } from './routing-stats.ts';

/*
 * The order a route's targets are tried in, by its strategy: the first is the pick, the rest are the
 * fallbacks. Weight-0 targets are fallback only under every strategy: they follow the others, as listed.
 * Usage-based routing orders like weighted here; its pick among these happens against the shared
 * counters (routing-usage.ts).
 */

/** Weighted random order of the weighted targets (each pick removes one). */
function weightedOrder(targets: readonly RouteTarget[], random: () => number): RouteTarget[] {
  const pool = [...targets];
  const order: RouteTarget[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, t) => sum + t.weight, 0);
    let pick = random() * total;
    let index = pool.findIndex((t) => {
      pick -= t.weight;
      return pick < 0;
    });
    if (index === -1) index = pool.length - 1;
    order.push(...pool.splice(index, 1));
  }
  return order;
}

/**
 * Ascending by `score`, ties in weighted random order (so equal targets share traffic by weight).
 * `null` scores (nothing known yet) come first: an untried target is explored before the known ones.
 */
function byScore(
  targets: readonly RouteTarget[],
  score: (target: RouteTarget) => number | null,
  random: () => number,
): RouteTarget[] {
  const shuffled = weightedOrder(targets, random);
  const scores = new Map(shuffled.map((t) => [t, score(t)]));
  const rank = (t: RouteTarget) => scores.get(t) ?? -Infinity;
  // Array#sort is stable: ties keep their weighted random order.
  return shuffled.sort((a, b) => rank(a) - rank(b));
}

export function orderTargets(
  route: Pick<ModelRoute, 'targets' | 'strategy'>,
  keyOf: (target: RouteTarget) => string,
  stats: TargetStats,
  random: () => number = Math.random,
): RouteTarget[] {
  const weighted = route.targets.filter((t) => t.weight > 0);
  const fallbacks = route.targets.filter((t) => t.weight === 0);
  let order: RouteTarget[];
  switch (route.strategy) {
    case 'least-latency':
      order = byScore(weighted, (t) => stats.latency(keyOf(t)), random);
      break;
    case 'least-busy':
      order = byScore(weighted, (t) => stats.inFlight(keyOf(t)), random);
      break;
    default:
      order = weightedOrder(weighted, random);
  }
  return [...order, ...fallbacks];
}

/** Targets not cooling down, in order; all of them when every one is (they are tried anyway, in order). */
export function withoutCoolingDown(
  order: readonly RouteTarget[],
  keyOf: (target: RouteTarget) => string,
  stats: TargetStats,
): RouteTarget[] {
  const live = order.filter((t) => !stats.coolingDown(keyOf(t)));
  return live.length > 0 ? live : [...order];
}
