'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useCallback, useState } from 'react';
import { SelectField } from '../../../../../components/config-fields';
import { ErrorState, Field, Loading } from '../../../../../components/form';
import { OrgCrumb } from '../../../../../components/org-crumb';
import { fieldErrors, useTRPC } from '../../../../../trpc/client';
import { parseUtcInput, utcPrecise } from '../analytics/_components/format';
import { Drawer, StatusCode } from './_components/drawer';
import { FilterForm } from './_components/filter-form';
import { LogDetail } from './_components/log-detail';
import styles from './logs.module.css';

type Side = 'provider' | 'consumer';
const PAGE_SIZE = 50;

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

function LogTable({ orgSlug, side, draft }: { orgSlug: string; side: Side; draft: Draft }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState<{ id: string; at: Date } | null>(null);
  const close = useCallback(() => setOpen(null), []);
  const list = useInfiniteQuery(
    trpc.logs.list.infiniteQueryOptions(
      { orgSlug, side, limit: PAGE_SIZE, ...appliedFilter(draft) },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  if (list.isPending) return <Loading what="Loading requests" />;
  if (list.isError) {
    const fields = fieldErrors(list.error);
    const first = Object.entries(fields)[0];
    return <ErrorState error={first ? { message: `${first[0]}: ${first[1]}` } : list.error} />;
  }
  const rows = list.data.pages.flatMap((page) => page.rows);
  if (rows.length === 0) {
    return <p className="empty">No requests match. Calls through the gateway appear here within seconds.</p>;
  }
  return (
    <>
      <div className="table-wrap">
        <table className="table stack" aria-label="Requests">
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Status</th>
              <th scope="col">Request</th>
              <th scope="col">API</th>
              <th scope="col">Latency</th>
              <th scope="col">
                <span className="visually-hidden">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-testid="log-row">
                <td data-label="Time" className={styles.nowrap}>
                  {utcPrecise(row.at)}
                </td>
                <td data-label="Status">
                  <StatusCode status={row.status} />
                  {row.errorCode ? <span className="muted"> {row.errorCode}</span> : null}
                </td>
                <td data-label="Request" className={styles.path}>
                  {row.method} {row.path}
                </td>
                <td data-label="API">{row.apiName ?? '—'}</td>
                <td data-label="Latency" className={styles.nowrap}>
                  {row.latencyMs} ms
                </td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => setOpen({ id: row.id, at: row.at })}
                  >
                    Details<span className="visually-hidden"> of request {row.id}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.hasNextPage ? (
        <button
          type="button"
          className="secondary"
          disabled={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
        >
          {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      ) : (
        <p className="muted">
          {rows.length} request{rows.length === 1 ? '' : 's'}.
        </p>
      )}
      {open ? (
        <Drawer title="Request" onClose={close}>
          <LogDetail orgSlug={orgSlug} side={side} id={open.id} at={open.at} />
        </Drawer>
      ) : null}
    </>
  );
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
          <a className="button" href={csvHref(slug, side, appliedFilter(applied))} download>
            Export CSV
          </a>
        ) : null}
      </div>
      {scope.isPending ? (
        <Loading what="Loading request logs" />
      ) : scope.isError ? (
        <ErrorState error={scope.error} />
      ) : side ? (
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
            <LogTable orgSlug={slug} side={side} draft={applied} />
          </section>
          <p className="muted">
            Newest first. The CSV export holds up to 50,000 rows of the applied filters.
          </p>
        </>
      ) : null}
    </>
  );
}
