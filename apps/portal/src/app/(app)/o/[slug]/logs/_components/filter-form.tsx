'use client';

import { type ReactNode, useState } from 'react';
import { Field } from '~/components/form';
import styles from '../logs.module.css';

type ChangeHandler = (e: { target: { value: string } }) => void;

/**
 * The filter form of the request log and the audit log: a draft of text filters edited in place, a
 * UTC from/to range after the page's own fields, and Apply / Reset. Only Apply (or Reset) reaches the
 * query, so typing does not refetch.
 */
export function FilterForm<D extends { from: string; to: string }>({
  idPrefix,
  empty,
  onApply,
  children,
}: {
  idPrefix: string;
  empty: D;
  onApply: (draft: D) => void;
  /** the page's own fields, bound through `set(name)` */
  children: (draft: D, set: (name: keyof D) => ChangeHandler) => ReactNode;
}) {
  const [draft, setDraft] = useState<D>(empty);
  const set = (name: keyof D) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [name]: e.target.value });
  return (
    <form
      aria-label="Filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      <div className={styles.filters}>
        {children(draft, set)}
        <Field
          id={`${idPrefix}-from`}
          label="From (UTC)"
          type="datetime-local"
          value={draft.from}
          onChange={set('from')}
        />
        <Field
          id={`${idPrefix}-to`}
          label="To (UTC)"
          type="datetime-local"
          value={draft.to}
          onChange={set('to')}
        />
      </div>
      <div className={styles.filterActions}>
        <button type="submit">Apply filters</button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setDraft(empty);
            onApply(empty);
          }}
        >
          Reset
        </button>
      </div>
    </form>
  );
}
