'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { SelectField } from '~/components/config-fields';
import { Field } from '~/components/form';
import { OrgCrumb } from '~/components/org-crumb';
import { buttonClasses } from '~/components/ui/button-classes';
import { QueryState } from '~/components/ui/query-state';
import { parseUtcInput } from '~/lib/format';
import { useTRPC } from '~/trpc/client';
import { FilterForm } from './_components/filter-form';
import { LogTable } from './_components/log-table';
import styles from './logs.module.css';

type Side = 'provider' | 'consumer';

interface Draft {
  status: string;
  keyId: string;
  apiId: string;
  pathPrefix: string;
  from: string;
  to: string;
}
const EMPTY: Draft = { status: '', keyId: '', apiId: '', pathPrefix: '', from: '', to: '' };

/** The non-empty filters, as the list procedure and the CSV route take them. */
function appliedFilter(draft: Draft) {
  const from = parseUtcInput(draft.from);
  const to = parseUtcInput(draft.to);
  return {
    ...(draft.status.trim() ? { status: draft.status.trim() } : {}),
    ...(draft.keyId.trim() ? { keyId: draft.keyId.trim() } : {}),
    ...(draft.apiId ? { apiId: draft.apiId } : {}),
    ...(draft.pathPrefix.trim() ? { pathPrefix: draft.pathPrefix.trim() } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

function csvHref(slug: string, side: Side, filter: ReturnType<typeof appliedFilter>) {
  const params = new URLSearchParams({ side });
  for (const [name, value] of Object.entries(filter)) {
    params.set(name, value instanceof Date ? value.toISOString() : value);
  }
  return `/api/orgs/${slug}/logs/csv?${params}`;
}

function Filters({
  orgSlug,
  side,
  apis,
  onApply,
}: {
  orgSlug: string;
  side: Side;
  apis: Array<{ id: string; name: string }>;
  onApply: (draft: Draft) => void;
}) {
  const trpc = useTRPC();
  const keys = useQuery({ ...trpc.logs.keys.queryOptions({ orgSlug }), enabled: side === 'consumer' });
  return (
    <FilterForm idPrefix="log" empty={EMPTY} onApply={onApply}>
      {(draft, set) => (
        <>
          <Field
            id="log-status"
            label="Status"
            placeholder="404 or 5xx"
            value={draft.status}
            onChange={set('status')}
            hint="A code or a class"
          />
          {side === 'consumer' ? (
            <SelectField
              id="log-key"
              label="Key"
              value={draft.keyId}
              onChange={set('keyId')}
              options={[
                { value: '', label: 'All keys' },
                ...(keys.data ?? []).map((k) => ({
                  value: k.id,
                  label: `${k.name} · ${k.prefix}…${k.last4} (${k.app})`,
                })),
              ]}
            />
          ) : (
            <Field id="log-key" label="Key id" value={draft.keyId} onChange={set('keyId')} />
          )}
          <SelectField
            id="log-api"
            label="API"
            value={draft.apiId}
            onChange={set('apiId')}
            options={[{ value: '', label: 'All APIs' }, ...apis.map((a) => ({ value: a.id, label: a.name }))]}
          />
          <Field
            id="log-path"
            label="Path starts with"
            placeholder="/org/api/…"
            value={draft.pathPrefix}
            onChange={set('pathPrefix')}
          />
        </>
      )}
    </FilterForm>
  );
}

export default function LogsPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const scope = useQuery(trpc.analytics.scope.queryOptions({ orgSlug: slug }));
  const [chosenSide, setChosenSide] = useState<Side | null>(null);
  const [applied, setApplied] = useState<Draft>(EMPTY);
  const sides: Side[] = scope.data
    ? scope.data.provider
      ? scope.data.consumer
        ? ['provider', 'consumer']
        : ['provider']
      : ['consumer']
    : [];
  const side = chosenSide && sides.includes(chosenSide) ? chosenSide : sides[0];
  const apis = (side && scope.data?.[side]?.apis) || [];
  return (
    <>
      <OrgCrumb slug={slug} section={{ label: 'Analytics', href: `/o/${slug}/analytics` }} />
      <div className="page-head">
        <h1>Request logs</h1>
        {side ? (
          <a className={buttonClasses('primary')} href={csvHref(slug, side, appliedFilter(applied))} download>
            Export CSV
          </a>
        ) : null}
      </div>
      <QueryState query={scope} pendingLabel="Loading request logs">
        {() =>
          side ? (
            <>
              {sides.length > 1 ? (
                <fieldset className={styles.sides}>
                  <legend className="visually-hidden">Whose requests</legend>
                  {sides.map((s) => (
                    <button
                      key={s}
                      type="button"
                      className={s === side ? undefined : 'secondary'}
                      aria-pressed={s === side}
                      onClick={() => {
                        setChosenSide(s);
                        setApplied(EMPTY);
                      }}
                    >
                      {s === 'provider' ? 'Calls to my APIs' : 'Calls by my apps'}
                    </button>
                  ))}
                </fieldset>
              ) : null}
              <section className="card" aria-label="Requests">
                <Filters key={side} orgSlug={slug} side={side} apis={apis} onApply={setApplied} />
                <LogTable orgSlug={slug} side={side} filter={appliedFilter(applied)} />
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
