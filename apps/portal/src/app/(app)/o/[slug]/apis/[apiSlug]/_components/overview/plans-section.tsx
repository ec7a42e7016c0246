'use client';

import { EmptyState } from '~/components/ui/empty-state';
import { PlanItem, type PlanRow } from '../plan-editor';

/** The API's plans; each editable by those who configure the API. */
export function PlansSection({
  orgSlug,
  plans,
  canConfigure,
  onChanged,
}: {
  orgSlug: string;
  plans: PlanRow[];
  canConfigure: boolean;
  onChanged: () => Promise<void>;
}) {
  return (
    <section className="card" aria-labelledby="plans-title">
      <h2 id="plans-title">Plans</h2>
      {plans.length === 0 ? (
        <EmptyState
          title="No plans yet."
          description={
            canConfigure
              ? 'Consumers need a plan to subscribe: add one below.'
              : 'Consumers need a plan to subscribe; owners and admins add plans.'
          }
          action={canConfigure ? { label: 'Add a plan', href: '#plan-create-title' } : undefined}
        />
      ) : (
        <ul className="list" aria-label="Plans">
          {plans.map((plan) => (
            <PlanItem
              key={plan.id}
              orgSlug={orgSlug}
              plan={plan}
              canWrite={canConfigure}
              onChanged={onChanged}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
