'use client';

import type { InputHTMLAttributes, ReactNode } from 'react';
import { cn } from '~/lib/cn';

/** The look of a text control: inputs here, and text areas and native selects in components/forms. */
export const controlClass =
  'm-0 w-full rounded-md border border-line bg-white px-2.5 py-2 text-base text-fg ' +
  'focus:outline-2 focus:outline-offset-1 focus:outline-accent aria-[invalid=true]:border-danger ' +
  'disabled:bg-page disabled:text-muted';

/** The ids of a field's hint and error, for `aria-describedby`. */
export function describedBy(id: string, error?: string | null, hint?: ReactNode): string | undefined {
  return [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
}

export function Input({ className, ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={cn(controlClass, className)} {...props} />;
}

interface ShellProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  className?: string;
  children: ReactNode;
}

/** Label above, hint and error below a control whose id is `id` (the control sets its own aria). */
export function FieldShell({ id, label, hint, error, className, children }: ShellProps) {
  return (
    <div className={cn('mb-4 flex min-w-0 flex-col gap-1', className)}>
      <label htmlFor={id} className="text-sm font-semibold">
        {label}
      </label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="m-0 text-sm text-muted">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error m-0 text-sm text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  fieldClassName?: string;
}

/** A labelled input with its hint and error linked for screen readers. */
export function Field({ id, label, hint, error, fieldClassName, ...input }: FieldProps) {
  return (
    <FieldShell id={id} label={label} hint={hint} error={error} className={fieldClassName}>
      <Input
        id={id}
        name={input.name ?? id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...input}
      />
    </FieldShell>
  );
}

/** A message about the whole form, announced when it appears. */
export function FormMessage({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="my-2 rounded-md border border-[#f1c7c7] bg-[#fdf0f0] px-3 py-2 text-danger">
      {message}
    </p>
  );
}
