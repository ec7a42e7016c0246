'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState } from '~/components/ui/empty-state';
import { FieldShell } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { Select } from '~/components/ui/select';
import { useTRPC } from '~/trpc/client';
import { BurnDownChart, burnSummary } from './burn-down';
import { type Side, type SubscriptionOption, subscriptionLabel } from './scope';

/** Usage against one subscription's quota this billing period, and where it is heading. */
export function BurnDownSection({
  orgSlug,
  side,
  subscriptions,
}: {
  orgSlug: string;
  side: Side;
  subscriptions: SubscriptionOption[];
}) {
  const trpc = useTRPC();
  const [chosen, setChosen] = useState('');
  const subscriptionId = subscriptions.some((s) => s.id === chosen) ? chosen : (subscriptions[0]?.id ?? '');
  const burn = useQuery({
    ...trpc.analytics.quotaBurnDown.queryOptions({ orgSlug, side, subscriptionId }),
    enabled: subscriptionId !== '',
  });
  return (
    <section className="card min-w-0" aria-labelledby="burn-title">
      <h2 id="burn-title">Quota this billing period</h2>
      {subscriptions.length === 0 ? (
        <EmptyState
          title="No subscriptions yet."
          description={
            side === 'provider'
              ? 'Subscriptions to your APIs show their quota here once approved.'
              : 'Subscribe an app to an API to follow its quota here.'
          }
          action={side === 'consumer' ? { label: 'Browse the catalog', href: '/catalog' } : undefined}
        />
      ) : (
        <>
          <FieldShell id="burn-subscription" label="Subscription">
            <Select
              id="burn-subscription"
              value={subscriptionId}
              onValueChange={setChosen}
              options={subscriptions.map((s) => ({ value: s.id, label: subscriptionLabel(s, side) }))}
            />
          </FieldShell>
          <QueryState query={burn} pendingLabel="Loading quota">
            {(data) => (
              <>
                <p data-testid="burn-summary">{burnSummary(data)}</p>
                <BurnDownChart burn={data} />
              </>
            )}
          </QueryState>
        </>
      )}
    </section>
  );
}
