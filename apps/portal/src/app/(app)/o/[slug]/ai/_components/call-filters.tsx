'use client';

import { useQuery } from '@tanstack/react-query';
import { Field } from '~/components/ui/field';
import { FilterBar } from '~/components/ui/filter-bar';
import { FILTER_FIELD, FilterRange, FilterSelect, useFilterDraft } from '~/components/ui/filter-fields';
import { useTRPC } from '~/trpc/client';
import { type CallDraft, dateInput, NO_CALL_FILTER } from './call-filter';

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
  const { text, choice, bar } = useFilterDraft<CallDraft>(NO_CALL_FILTER, onApply);
  const aiApis = (apis.data ?? []).filter((a) => a.kind !== 'REST');
  return (
    <FilterBar label="Filter calls" applyLabel="Apply filters" {...bar}>
      <FilterSelect
        id="calls-api"
        label="API"
        allLabel="All AI APIs"
        options={aiApis.map((a) => ({ value: a.id, label: a.name }))}
        {...choice('apiId')}
      />
      <FilterSelect
        id="calls-model"
        label="Model"
        allLabel="All models"
        options={(models.data ?? []).map((m) => ({ value: m, label: m }))}
        {...choice('model')}
      />
      <Field
        id="calls-status"
        label="Status"
        placeholder="429 or 5xx"
        fieldClassName={FILTER_FIELD}
        error={errors.status}
        {...text('status')}
      />
      <FilterRange
        idPrefix="calls"
        type="date"
        labels={['From', 'To']}
        from={text('from')}
        to={text('to')}
        errors={{ from: errors.from, to: errors.to }}
        max={dateInput(new Date())}
      />
    </FilterBar>
  );
}
