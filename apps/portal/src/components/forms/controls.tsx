'use client';

import type { ComponentProps, ReactNode } from 'react';
import { controlClass, describedBy, FieldShell } from '~/components/ui/field';
import { cn } from '~/lib/cn';

/**
 * The one look of a form control, on the kit's FieldShell: label above, hint and error below, linked
 * for screen readers. Both the react-hook-form fields (forms/fields) and the plain controlled fields
 * (config-fields) render through these, so every form shares it.
 */

interface Labelled {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
}

const aria = (id: string, error?: string | null, hint?: ReactNode) => ({
  'aria-invalid': error ? true : undefined,
  'aria-describedby': describedBy(id, error, hint),
});

export type TextAreaControlProps = Labelled & Omit<ComponentProps<'textarea'>, 'id'>;

export function TextAreaControl({
  id,
  label,
  hint,
  error,
  rows = 3,
  className,
  ...rest
}: TextAreaControlProps) {
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      <textarea
        id={id}
        name={id}
        rows={rows}
        spellCheck={false}
        className={cn(controlClass, 'resize-y font-mono text-sm', className)}
        {...aria(id, error, hint)}
        {...rest}
      />
    </FieldShell>
  );
}

export type SelectControlProps = Labelled &
  Omit<ComponentProps<'select'>, 'id'> & { options: ReadonlyArray<{ value: string; label: string }> };

export function SelectControl({ id, label, hint, error, options, className, ...rest }: SelectControlProps) {
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      <select id={id} name={id} className={cn(controlClass, className)} {...aria(id, error, hint)} {...rest}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

export type CheckboxControlProps = Omit<Labelled, 'hint'> & Omit<ComponentProps<'input'>, 'id' | 'type'>;

/** A checkbox with its label beside it and its error under both. */
export function CheckboxControl({ id, label, error, className, ...rest }: CheckboxControlProps) {
  return (
    <div className={cn('mb-4 flex flex-wrap items-center gap-2', className)}>
      <input
        id={id}
        type="checkbox"
        className="m-0 size-4 w-auto accent-accent"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        {...rest}
      />
      <label htmlFor={id} className="text-sm font-semibold">
        {label}
      </label>
      {error ? (
        <p id={`${id}-error`} className="field-error m-0 basis-full text-sm text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}
