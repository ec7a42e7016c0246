'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Field, FieldShell } from '~/components/ui/field';
import { FilterBar } from '~/components/ui/filter-bar';
import { Select } from '~/components/ui/select';
import { useTRPC } from '~/trpc/client';
import { type AuditDraft, NO_FILTER } from './filter';

/** Radix Select items cannot have an empty value: "all" stands for no filter. */
const ALL = 'all';

export function AuditFilters({
  orgSlug,
  onApply,
}: {
  orgSlug: string;
  onApply: (draft: AuditDraft) => void;
}) {
  const trpc = useTRPC();
  const facets = useQuery(trpc.audit.facets.queryOptions({ orgSlug }));
  const [draft, setDraft] = useState<AuditDraft>(NO_FILTER);
  const set = (name: keyof AuditDraft) => (value: string) => setDraft({ ...draft, [name]: value });
  const pick = (name: keyof AuditDraft) => (value: string) => set(name)(value === ALL ? '' : value);
  const field = 'filter-field mb-0';
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
      <FieldShell id="audit-actor" label="Actor" className={field}>
        <Select
          id="audit-actor"
          value={draft.actorId || ALL}
          onValueChange={pick('actorId')}
          options={[
            { value: ALL, label: 'Everyone' },
            ...(facets.data?.actors ?? []).map((a) => ({ value: a.id, label: a.name ?? a.email })),
          ]}
        />
      </FieldShell>
      <Field
        id="audit-action"
        label="Action starts with"
        placeholder="api. or member.invite"
        fieldClassName={field}
        value={draft.actionPrefix}
        onChange={(e) => set('actionPrefix')(e.target.value)}
      />
      <FieldShell id="audit-target" label="Target type" className={field}>
        <Select
          id="audit-target"
          value={draft.targetType || ALL}
          onValueChange={pick('targetType')}
          options={[
            { value: ALL, label: 'All' },
            ...(facets.data?.targetTypes ?? []).map((t) => ({ value: t, label: t })),
          ]}
        />
      </FieldShell>
      <Field
        id="audit-from"
        label="From (UTC)"
        type="datetime-local"
        fieldClassName={field}
        value={draft.from}
        onChange={(e) => set('from')(e.target.value)}
      />
      <Field
        id="audit-to"
        label="To (UTC)"
        type="datetime-local"
        fieldClassName={field}
        value={draft.to}
        onChange={(e) => set('to')(e.target.value)}
      />
    </FilterBar>
  );
}
