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

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** A group of method checkboxes in a fieldset (one legend for screen readers). */
export function MethodChecks({
  idPrefix,
  legend,
  selected,
  onChange,
  disabled,
  error,
  hint,
}: {
  idPrefix: string;
  legend: string;
  selected: string[];
  onChange: (methods: string[]) => void;
  disabled?: boolean;
  error?: string;
  hint?: string;
}) {
  return (
    <fieldset className="checks" aria-describedby={error ? `${idPrefix}-error` : undefined}>
      <legend>{legend}</legend>
      {hint ? <p className="hint">{hint}</p> : null}
      <div className="check-row">
        {HTTP_METHODS.map((method) => (
          <label key={method} className="check" htmlFor={`${idPrefix}-${method}`}>
            <input
              id={`${idPrefix}-${method}`}
              type="checkbox"
              disabled={disabled}
              checked={selected.includes(method)}
              onChange={(e) =>
                onChange(
                  e.target.checked
                    ? HTTP_METHODS.filter((m) => m === method || selected.includes(m))
                    : selected.filter((m) => m !== method),
                )
              }
            />
            {method}
          </label>
        ))}
      </div>
      {error ? (
        <p id={`${idPrefix}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
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

/** `name: value` lines → record (the first colon separates; the value may contain colons). */
export function parsePairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines(text)) {
    const colon = line.indexOf(':');
    if (colon === -1) out[line] = '';
    else out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

export function formatPairs(record: Record<string, string>): string {
  return Object.entries(record)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

/** '' → null (unlimited); anything else → a number the server validates. */
export const numberOrNull = (value: string): number | null => (value.trim() === '' ? null : Number(value));
