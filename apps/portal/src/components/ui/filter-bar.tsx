'use client';

import type { FormEvent, ReactNode } from 'react';
import { cn } from '~/lib/cn';
import { Button } from './button';

interface FilterBarProps {
  /** Names the filter form for screen readers, e.g. "Filter audit entries". */
  label: string;
  /** The filter fields (kit `Field`s, selects…); they wrap onto new lines at narrow widths. */
  children: ReactNode;
  onApply: () => void;
  /** Shown when a filter is set: clears every filter. */
  onReset?: () => void;
  applyLabel?: string;
  busy?: boolean;
  className?: string;
}

/** A row of filter fields applied together (Enter or the Apply button), with an optional reset. */
export function FilterBar({
  label,
  children,
  onApply,
  onReset,
  applyLabel = 'Apply',
  busy,
  className,
}: FilterBarProps) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply();
  };
  return (
    <form
      aria-label={label}
      onSubmit={submit}
      className={cn(
        'mb-4 flex flex-wrap items-end gap-3 [&>*]:min-w-0 [&>.filter-field]:flex-[1_1_12rem] [&>.filter-field]:mb-0',
        className,
      )}
    >
      {children}
      <div className="flex gap-2">
        <Button type="submit" disabled={busy}>
          {applyLabel}
        </Button>
        {onReset ? (
          <Button type="button" variant="secondary" onClick={onReset}>
            Reset
          </Button>
        ) : null}
      </div>
    </form>
  );
}
