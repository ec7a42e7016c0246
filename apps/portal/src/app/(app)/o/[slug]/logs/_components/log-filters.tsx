'use client';

import { useQuery } from '@tanstack/react-query';
import { Field } from '~/components/ui/field';
import { FilterBar } from '~/components/ui/filter-bar';
import { FILTER_FIELD, FilterRange, FilterSelect, useFilterDraft } from '~/components/ui/filter-fields';
import { useTRPC } from '~/trpc/client';
import { type LogDraft, NO_FILTER, type Side } from './filter';

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
  const { text, choice, bar } = useFilterDraft<LogDraft>(NO_FILTER, onApply);
  return (
    <FilterBar label="Filters" applyLabel="Apply filters" {...bar}>
      <Field
        id="log-status"
        label="Status"
        placeholder="404 or 5xx"
        hint="A code or a class"
        fieldClassName={FILTER_FIELD}
        {...text('status')}
      />
      {side === 'consumer' ? (
        <FilterSelect
          id="log-key"
          label="Key"
          allLabel="All keys"
          options={(keys.data ?? []).map((k) => ({
            value: k.id,
            label: `${k.name} · ${k.prefix}…${k.last4} (${k.app})`,
          }))}
          {...choice('keyId')}
        />
      ) : (
        <Field id="log-key" label="Key id" fieldClassName={FILTER_FIELD} {...text('keyId')} />
      )}
      <FilterSelect
        id="log-api"
        label="API"
        allLabel="All APIs"
        options={apis.map((a) => ({ value: a.id, label: a.name }))}
        {...choice('apiId')}
      />
      <Field
        id="log-path"
        label="Path starts with"
        placeholder="/org/api/…"
        fieldClassName={FILTER_FIELD}
        {...text('pathPrefix')}
      />
      <FilterRange idPrefix="log" type="datetime-local" from={text('from')} to={text('to')} />
    </FilterBar>
  );
}
