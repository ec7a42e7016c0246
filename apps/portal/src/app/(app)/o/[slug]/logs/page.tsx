'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { OrgCrumb } from '~/components/org-crumb';
import { buttonClasses } from '~/components/ui/button-classes';
import { ChoiceButtons } from '~/components/ui/choice-buttons';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import {
  appliedFilter,
  csvHref,
  type LogDraft,
  logSides,
  NO_FILTER,
  SIDE_LABEL,
  type Side,
} from './_components/filter';
import { LogFilters } from './_components/log-filters';
import { LogTable } from './_components/log-table';

export default function LogsPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const scope = useQuery(trpc.analytics.scope.queryOptions({ orgSlug: slug }));
  const [chosenSide, setChosenSide] = useState<Side | null>(null);
  const [applied, setApplied] = useState<LogDraft>(NO_FILTER);
  const sides = logSides(scope.data);
  const side = chosenSide && sides.includes(chosenSide) ? chosenSide : sides[0];
  const apis = (side && scope.data?.[side]?.apis) || [];
  const filter = appliedFilter(applied);
  return (
    <>
      <OrgCrumb slug={slug} section={{ label: 'Analytics', href: `/o/${slug}/analytics` }} />
      <div className="page-head">
        <h1>Request logs</h1>
        {side ? (
          <a className={buttonClasses('primary')} href={csvHref(slug, side, filter)} download>
            Export CSV
          </a>
        ) : null}
      </div>
      <QueryState query={scope} pendingLabel="Loading request logs">
        {() =>
          side ? (
            <>
              <ChoiceButtons
                legend="Whose requests"
                legendHidden
                choices={sides.map((s) => ({ value: s, label: SIDE_LABEL[s] }))}
                value={side}
                onChange={(s) => {
                  setChosenSide(s);
                  setApplied(NO_FILTER);
                }}
              />
              <section className="card min-w-0" aria-label="Requests">
                <LogFilters key={side} orgSlug={slug} side={side} apis={apis} onApply={setApplied} />
                <LogTable orgSlug={slug} side={side} filter={filter} />
              </section>
              <p className="muted">
                Newest first. The CSV export holds up to 50,000 rows of the applied filters.
              </p>
            </>
          ) : null
        }
      </QueryState>
    </>
  );
}
