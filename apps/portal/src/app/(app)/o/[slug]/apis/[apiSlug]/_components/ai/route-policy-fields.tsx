'use client';

import { ROUTING_STRATEGIES, type RoutingStrategy } from '@portcullis/core/ai-config';
import { NumberField, SelectField } from '../../../../../../../../components/forms/fields';

const STRATEGY_LABELS: Record<RoutingStrategy, string> = {
  weighted: 'Weighted random',
  'least-latency': 'Least latency',
  'least-busy': 'Least busy',
  'usage-based': 'Usage-based (provider limits)',
};

const STRATEGY_HINTS: Record<RoutingStrategy, string> = {
  weighted: 'Each call picks a target at random, in proportion to its weight.',
  'least-latency': 'Calls go to the target that answered fastest lately; new targets are tried first.',
  'least-busy': 'Calls go to the target with the fewest calls in progress.',
  'usage-based':
    'Calls go to the least used target still under its requests and tokens per minute; when all are at their limit, callers get 429.',
};

/** A route's strategy and cooldown: how the first target is picked and when a failing one is skipped. */
export function RoutePolicyFields({ index: i, strategy }: { index: number; strategy: RoutingStrategy }) {
  const route = (field: string) => `routes.${i}.${field}`;
  return (
    <div className="row">
      <SelectField
        name={route('strategy')}
        id={`route-${i}-strategy`}
        label="Strategy"
        hint={STRATEGY_HINTS[strategy] ?? STRATEGY_HINTS.weighted}
        options={ROUTING_STRATEGIES.map((value) => ({ value, label: STRATEGY_LABELS[value] }))}
      />
      <NumberField
        name={route('cooldownFailures')}
        id={`route-${i}-cooldown-failures`}
        label="Failures before cooldown"
        hint="429, 5xx, timeouts; 0 = never"
      />
      <NumberField
        name={route('cooldownWindowSeconds')}
        id={`route-${i}-cooldown-window`}
        label="Within (s)"
      />
      <NumberField
        name={route('cooldownSeconds')}
        id={`route-${i}-cooldown`}
        label="Cooldown (s)"
        hint="At least the provider's Retry-After"
      />
    </div>
  );
}
