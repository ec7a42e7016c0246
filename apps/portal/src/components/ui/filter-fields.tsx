'use client';

import { type ChangeEvent, useState } from 'react';
import { Field, FieldShell } from './field';
import { Select } from './select';

/** The select value that stands for "no filter" (a Radix select item cannot have an empty value). */
const ALL = 'all';

/** Layout class of a field inside a FilterBar: it grows to share the row. */
export const FILTER_FIELD = 'filter-field mb-0';

/**
 * The draft of a FilterBar's fields, applied together: `text(name)` and `choice(name)` bind a text
 * field or a select to it (a select's "all" is the empty filter), `bar` gives the bar's Apply and Reset.
 */
export function useFilterDraft<T extends { [K in keyof T]: string }>(empty: T, onApply: (draft: T) => void) {
  const [draft, setDraft] = useState<T>(empty);
  const set = (name: keyof T, value: string) => setDraft({ ...draft, [name]: value });
  return {
    draft,
    text: (name: keyof T & string) => ({
      value: draft[name],
      onChange: (e: ChangeEvent<HTMLInputElement>) => set(name, e.target.value),
    }),
    choice: (name: keyof T & string) => ({
      value: draft[name] || ALL,
      onValueChange: (value: string) => set(name, value === ALL ? '' : value),
    }),
    bar: {
      onApply: () => onApply(draft),
      onReset: () => {
        setDraft(empty);
        onApply(empty);
      },
    },
  };
}

interface FilterSelectProps {
  id: string;
  label: string;
  /** The first option's text, which clears this filter, e.g. "All APIs". */
  allLabel: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  value: string;
  onValueChange: (value: string) => void;
}

/** A labelled select inside a FilterBar whose first option clears the filter. */
export function FilterSelect({ id, label, allLabel, options, value, onValueChange }: FilterSelectProps) {
  return (
    <FieldShell id={id} label={label} className={FILTER_FIELD}>
      <Select
        id={id}
        value={value}
        onValueChange={onValueChange}
        options={[{ value: ALL, label: allLabel }, ...options]}
      />
    </FieldShell>
  );
}

/** The From and To fields of a filter by time (UTC). */
export function FilterRange({
  idPrefix,
  type,
  from,
  to,
  labels = ['From (UTC)', 'To (UTC)'],
  errors = {},
  max,
}: {
  idPrefix: string;
  type: 'date' | 'datetime-local';
  from: { value: string; onChange: (e: ChangeEvent<HTMLInputElement>) => void };
  to: { value: string; onChange: (e: ChangeEvent<HTMLInputElement>) => void };
  labels?: [string, string];
  errors?: { from?: string | undefined; to?: string | undefined };
  max?: string;
}) {
  return (
    <>
      <Field
        id={`${idPrefix}-from`}
        label={labels[0]}
        type={type}
        fieldClassName={FILTER_FIELD}
        error={errors.from}
        value={from.value}
        onChange={from.onChange}
      />
      <Field
        id={`${idPrefix}-to`}
        label={labels[1]}
        type={type}
        fieldClassName={FILTER_FIELD}
        error={errors.to}
        max={max}
        value={to.value}
        onChange={to.onChange}
      />
    </>
  );
}
