'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useCallback, useState } from 'react';
import { SelectField } from '../../../../../components/config-fields';
import { ErrorState, Field, Loading } from '../../../../../components/form';
import { OrgCrumb } from '../../../../../components/org-crumb';
import { can } from '../../../../../server/permissions';
import { useTRPC } from '../../../../../trpc/client';
import { parseUtcInput, utcPrecise } from '../analytics/_components/format';
import { Drawer } from '../logs/_components/drawer';
import { FilterForm } from '../logs/_components/filter-form';
import styles from '../logs/logs.module.css';

interface Draft {
  actorId: string;
  actionPrefix: string;
  targetType: string;
  from: string;
  to: string;
}
const EMPTY: Draft = { actorId: '', actionPrefix: '', targetType: '', from: '', to: '' };

function appliedFilter(draft: Draft) {
  const from = parseUtcInput(draft.from);
  const to = parseUtcInput(draft.to);
  return {
    ...(draft.actorId ? { actorId: draft.actorId } : {}),
    ...(draft.actionPrefix.trim() ? { actionPrefix: draft.actionPrefix.trim() } : {}),
    ...(draft.targetType ? { targetType: draft.targetType } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

const json = (value: unknown) =>
  value === null || value === undefined ? '—' : JSON.stringify(value, null, 2);

function EntryDetail({ orgSlug, id }: { orgSlug: string; id: string }) {
  const trpc = useTRPC();
  const entry = useQuery(trpc.audit.get.queryOptions({ orgSlug, id }));
  if (entry.isPending) return <Loading what="Loading entry" />;
  if (entry.isError) return <ErrorState error={entry.error} />;
  const e = entry.data;
  return (
    <div data-testid="audit-detail">
      <dl className="facts">
        <dt>When (UTC)</dt>
        <dd>{utcPrecise(e.at)}</dd>
        <dt>Actor</dt>
        <dd>{e.actor ? `${e.actor.name ?? e.actor.email} (${e.actor.email})` : 'System'}</dd>
        <dt>Action</dt>
        <dd>
          <code>{e.action}</code>
        </dd>
        <dt>Target</dt>
        <dd>
          {e.targetType} <code>{e.targetId}</code>
        </dd>
      </dl>
      <div className={styles.diff}>
        <section aria-label="Before">
          <h3>Before</h3>
          <pre className="code">{json(e.before)}</pre>
        </section>
        <section aria-label="After">
          <h3>After</h3>
          <pre className="code">{json(e.after)}</pre>
        </section>
      </div>
    </div>
  );
}

function AuditList({ orgSlug, draft }: { orgSlug: string; draft: Draft }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState<string | null>(null);
  const close = useCallback(() => setOpen(null), []);
  const list = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { orgSlug, limit: 50, ...appliedFilter(draft) },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  if (list.isPending) return <Loading what="Loading the audit log" />;
  if (list.isError) return <ErrorState error={list.error} />;
  const rows = list.data.pages.flatMap((page) => page.rows);
  if (rows.length === 0) return <p className="empty">No entries match.</p>;
  return (
    <>
      <div className="table-wrap">
        <table className="table stack" aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">When (UTC)</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">
                <span className="visually-hidden">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-testid="audit-row">
                <td data-label="When" className={styles.nowrap}>
                  {utcPrecise(row.at)}
                </td>
                <td data-label="Actor">{row.actor ? (row.actor.name ?? row.actor.email) : 'System'}</td>
                <td data-label="Action">
                  <code>{row.action}</code>
                </td>
                <td data-label="Target">{row.targetType}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => setOpen(row.id)}>
                    Details<span className="visually-hidden"> of {row.action}</span>
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
      ) : null}
      {open ? (
        <Drawer title="Audit entry" onClose={close}>
          <EntryDetail orgSlug={orgSlug} id={open} />
        </Drawer>
      ) : null}
    </>
  );
}

function Filters({ orgSlug, onApply }: { orgSlug: string; onApply: (draft: Draft) => void }) {
  const trpc = useTRPC();
  const facets = useQuery(trpc.audit.facets.queryOptions({ orgSlug }));
  return (
    <FilterForm idPrefix="audit" empty={EMPTY} onApply={onApply}>
      {(draft, set) => (
        <>
          <SelectField
            id="audit-actor"
            label="Actor"
            value={draft.actorId}
            onChange={set('actorId')}
            options={[
              { value: '', label: 'Everyone' },
              ...(facets.data?.actors ?? []).map((a) => ({ value: a.id, label: a.name ?? a.email })),
            ]}
          />
          <Field
            id="audit-action"
            label="Action starts with"
            placeholder="api. or member.invite"
            value={draft.actionPrefix}
            onChange={set('actionPrefix')}
          />
          <SelectField
            id="audit-target"
            label="Target type"
            value={draft.targetType}
            onChange={set('targetType')}
            options={[
              { value: '', label: 'All' },
              ...(facets.data?.targetTypes ?? []).map((t) => ({ value: t, label: t })),
            ]}
          />
        </>
      )}
    </FilterForm>
  );
}

export default function AuditPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const [applied, setApplied] = useState<Draft>(EMPTY);
  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>Audit log</h1>
      </div>
      {org.isPending ? (
        <Loading what="Loading the audit log" />
      ) : org.isError ? (
        <ErrorState error={org.error} />
      ) : !can(org.data.role, 'audit.read') ? (
        <p className="form-error" role="alert" data-testid="audit-forbidden">
          Only admins and owners can read the audit log of {org.data.name}.
        </p>
      ) : (
        <>
          <p className="muted">
            Every change made in {org.data.name}: who, what, and the record before and after.
          </p>
          <section className="card" aria-label="Entries">
            <Filters orgSlug={slug} onApply={setApplied} />
            <AuditList orgSlug={slug} draft={applied} />
          </section>
        </>
      )}
    </>
  );
}
