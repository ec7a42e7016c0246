'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Field, FieldShell } from '~/components/ui/field';
import { FilterBar } from '~/components/ui/filter-bar';
import { Select } from '~/components/ui/select';
import { useTRPC } from '~/trpc/client';
import { type LogDraft, NO_FILTER, type Side } from './filter';

/** Radix Select items cannot have an empty value: "all" stands for no filter. */
const ALL = 'all';
const FIELD = 'filter-field mb-0';

/**
 * The request log filters. Only Apply (or Reset) reaches the query, so typing does not refetch. The
 * consumer side picks one of its keys; the provider side types a key id (its consumers' keys are theirs).
 */
export function LogFilters({
  orgSlug,
  side,
  apis,
  onApply,
}: {
  orgSlug: string;
  side: Side;
  apis: ReadonlyArray<{ id: string; name: string }>;
  onApply: (draft: LogDraft) => void;
}) {
  const trpc = useTRPC();
  const keys = useQuery({ ...trpc.logs.keys.queryOptions({ orgSlug }), enabled: side === 'consumer' });
  const [draft, setDraft] = useState<LogDraft>(NO_FILTER);
  const set = (name: keyof LogDraft) => (value: string) => setDraft({ ...draft, [name]: value });
  const pick = (name: keyof LogDraft) => (value: string) => set(name)(value === ALL ? '' : value);
  return (
    <FilterBar
      label="Filters"
      applyLabel="Apply filters"
      onApply={() => onApply(draft)}
      onReset={() => {
        setDraft(NO_FILTER);
        onApply(NO_FILTER);
      }}
    >
      <Field
        id="log-status"
        label="Status"
        placeholder="404 or 5xx"
        hint="A code or a class"
        fieldClassName={FIELD}
        value={draft.status}
        onChange={(e) => set('status')(e.target.value)}
      />
      {side === 'consumer' ? (
        <FieldShell id="log-key" label="Key" className={FIELD}>
          <Select
            id="log-key"
            value={draft.keyId || ALL}
            onValueChange={pick('keyId')}
            options={[
              { value: ALL, label: 'All keys' },
              ...(keys.data ?? []).map((k) => ({
                value: k.id,
                label: `${k.name} · ${k.prefix}…${k.last4} (${k.app})`,
              })),
            ]}
          />
        </FieldShell>
      ) : (
        <Field
          id="log-key"
          label="Key id"
          fieldClassName={FIELD}
          value={draft.keyId}
          onChange={(e) => set('keyId')(e.target.value)}
        />
      )}
      <FieldShell id="log-api" label="API" className={FIELD}>
        <Select
          id="log-api"
          value={draft.apiId || ALL}
          onValueChange={pick('apiId')}
          options={[{ value: ALL, label: 'All APIs' }, ...apis.map((a) => ({ value: a.id, label: a.name }))]}
        />
      </FieldShell>
      <Field
        id="log-path"
        label="Path starts with"
        placeholder="/org/api/…"
        fieldClassName={FIELD}
        value={draft.pathPrefix}
        onChange={(e) => set('pathPrefix')(e.target.value)}
      />
      <Field
        id="log-from"
        label="From (UTC)"
        type="datetime-local"
        fieldClassName={FIELD}
        value={draft.from}
        onChange={(e) => set('from')(e.target.value)}
      />
      <Field
        id="log-to"
        label="To (UTC)"
        type="datetime-local"
        fieldClassName={FIELD}
        value={draft.to}
        onChange={(e) => set('to')(e.target.value)}
      />
    </FilterBar>
  );
}
