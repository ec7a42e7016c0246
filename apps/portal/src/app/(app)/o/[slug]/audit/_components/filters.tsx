'use client';

import { useQuery } from '@tanstack/react-query';
import { Field } from '~/components/ui/field';
import { FilterBar } from '~/components/ui/filter-bar';
import { FILTER_FIELD, FilterRange, FilterSelect, useFilterDraft } from '~/components/ui/filter-fields';
import { useTRPC } from '~/trpc/client';
import { type AuditDraft, NO_FILTER } from './filter';

export function AuditFilters({
  orgSlug,
  onApply,
}: {
  orgSlug: string;
  onApply: (draft: AuditDraft) => void;
}) {
  const trpc = useTRPC();
  const facets = useQuery(trpc.audit.facets.queryOptions({ orgSlug }));
  const { text, choice, bar } = useFilterDraft<AuditDraft>(NO_FILTER, onApply);
  return (
    <FilterBar label="Filters" applyLabel="Apply filters" {...bar}>
      <FilterSelect
        id="audit-actor"
        label="Actor"
        allLabel="Everyone"
        options={(facets.data?.actors ?? []).map((a) => ({ value: a.id, label: a.name ?? a.email }))}
        {...choice('actorId')}
      />
      <Field
        id="audit-action"
        label="Action starts with"
        placeholder="api. or member.invite"
        fieldClassName={FILTER_FIELD}
        {...text('actionPrefix')}
      />
      <FilterSelect
        id="audit-target"
        label="Target type"
        allLabel="All"
        options={(facets.data?.targetTypes ?? []).map((t) => ({ value: t, label: t }))}
        {...choice('targetType')}
      />
      <FilterRange idPrefix="audit" type="datetime-local" from={text('from')} to={text('to')} />
    </FilterBar>
  );
}
