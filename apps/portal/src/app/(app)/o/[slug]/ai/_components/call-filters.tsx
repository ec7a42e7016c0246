'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Field, FieldShell } from '~/components/ui/field';
import { FilterBar } from '~/components/ui/filter-bar';
import { Select } from '~/components/ui/select';
import { useTRPC } from '~/trpc/client';
import { type CallDraft, dateInput, NO_CALL_FILTER } from './call-filter';

/** Radix Select items cannot have an empty value: "all" stands for no filter. */
const ALL = 'all';
const FIELD = 'filter-field mb-0';

/** API, model, status and day filters of the call log, applied together. */
export function CallFilters({
  orgSlug,
  errors,
  onApply,
}: {
  orgSlug: string;
  /** the server's word on the applied filters, by field */
  errors: Record<string, string>;
  onApply: (draft: CallDraft) => void;
}) {
  const trpc = useTRPC();
  const apis = useQuery(trpc.api.list.queryOptions({ orgSlug }));
  const models = useQuery(trpc.ai.callModels.queryOptions({ orgSlug }));
  const [draft, setDraft] = useState<CallDraft>(NO_CALL_FILTER);
  const set = (name: keyof CallDraft) => (value: string) => setDraft({ ...draft, [name]: value });
  const pick = (name: keyof CallDraft) => (value: string) => set(name)(value === ALL ? '' : value);
  const aiApis = (apis.data ?? []).filter((a) => a.kind !== 'REST');
  return (
    <FilterBar
      label="Filter calls"
      applyLabel="Apply filters"
      onApply={() => onApply(draft)}
      onReset={() => {
        setDraft(NO_CALL_FILTER);
        onApply(NO_CALL_FILTER);
      }}
    >
      <FieldShell id="calls-api" label="API" className={FIELD}>
        <Select
          id="calls-api"
          value={draft.apiId || ALL}
          onValueChange={pick('apiId')}
          options={[
            { value: ALL, label: 'All AI APIs' },
            ...aiApis.map((a) => ({ value: a.id, label: a.name })),
          ]}
        />
      </FieldShell>
      <FieldShell id="calls-model" label="Model" className={FIELD}>
        <Select
          id="calls-model"
          value={draft.model || ALL}
          onValueChange={pick('model')}
          options={[
            { value: ALL, label: 'All models' },
            ...(models.data ?? []).map((m) => ({ value: m, label: m })),
          ]}
        />
      </FieldShell>
      <Field
        id="calls-status"
        label="Status"
        placeholder="429 or 5xx"
        fieldClassName={FIELD}
        value={draft.status}
        error={errors.status}
        onChange={(e) => set('status')(e.target.value)}
      />
      <Field
        id="calls-from"
        label="From"
        type="date"
        fieldClassName={FIELD}
        value={draft.from}
        error={errors.from}
        onChange={(e) => set('from')(e.target.value)}
      />
      <Field
        id="calls-to"
        label="To"
        type="date"
        fieldClassName={FIELD}
        value={draft.to}
        error={errors.to}
        max={dateInput(new Date())}
        onChange={(e) => set('to')(e.target.value)}
      />
    </FilterBar>
  );
}
