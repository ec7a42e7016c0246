'use client';

import type { ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';
import { Described, describedBy } from './form';

/**
 * Inputs for the configuration forms (policies, upstream, plan limits, platform settings). Server
 * field errors arrive keyed by dotted path (`cors.allowOrigins`, `targets.0.url`); `errorFor` picks
 * the first one under a prefix so a whole list can show one message.
 */
export function errorFor(errors: Record<string, string>, ...prefixes: string[]): string | undefined {
  for (const prefix of prefixes) {
    if (errors[prefix]) return errors[prefix];
    const nested = Object.keys(errors).find((key) => key.startsWith(`${prefix}.`));
    if (nested) return errors[nested];
  }
  return undefined;
}

interface TextAreaFieldProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  id: string;
  label: string;
  error?: string;
  hint?: ReactNode;
}

export function TextAreaField({ id, label, error, hint, rows = 3, ...textarea }: TextAreaFieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        name={id}
        rows={rows}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...textarea}
      />
      <Described id={id} error={error} hint={hint} />
    </div>
  );
}

interface SelectFieldProps extends SelectHTMLAttributes<HTMLSelectElement> {
  id: string;
  label: string;
  error?: string;
  hint?: ReactNode;
  options: ReadonlyArray<{ value: string; label: string }>;
}

export function SelectField({ id, label, error, hint, options, ...select }: SelectFieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...select}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <Described id={id} error={error} hint={hint} />
    </div>
  );
}

export function CheckboxField({
  id,
  label,
  checked,
  onChange,
  disabled,
  error,
}: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  error?: string;
}) {
  return (
    <div className="checkbox">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Saved confirmation, announced politely; hidden while the form is dirty again. */
export function SavedNote({ show, children = 'Saved' }: { show: boolean; children?: ReactNode }) {
  return (
    <span className="saved" role="status">
      {show ? children : ''}
    </span>
  );
}

/** Non-empty trimmed lines; commas also separate entries when `commas` is set. */
export function lines(text: string, commas = false): string[] {
  return text
    .split(commas ? /[\n,]/ : /\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** '' → null (unlimited); anything else → a number the server validates. */
export const numberOrNull = (value: string): number | null => (value.trim() === '' ? null : Number(value));
