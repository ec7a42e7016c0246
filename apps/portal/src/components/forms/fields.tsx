'use client';

import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';
import { Controller, useFormContext } from 'react-hook-form';
import { Described, describedBy } from '../form';
import { messageAt } from './errors';

/**
 * Inputs bound to the surrounding react-hook-form (FormProvider) by field path. Each shows the first
 * message at or under its path (client validation or the server's), linked for screen readers.
 */

interface Common {
  name: string;
  id: string;
  label: string;
  hint?: ReactNode;
  /** where the message comes from when it is not the field's own path */
  errorPath?: string;
}

function useFieldError(name: string, errorPath?: string): string | undefined {
  const { formState } = useFormContext();
  return messageAt(formState.errors, errorPath ?? name);
}

type InputProps = Common & Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'id'>;

export function TextField({ name, id, label, hint, errorPath, ...input }: InputProps) {
  const { register } = useFormContext();
  const error = useFieldError(name, errorPath);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...input}
        {...register(name)}
      />
      <Described id={id} error={error} hint={hint} />
    </div>
  );
}

/** A number typed as text (the draft keeps text; the form's schema turns it into a number). */
export function NumberField(props: InputProps) {
  return <TextField type="number" inputMode="numeric" {...props} />;
}

type TextAreaProps = Common & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name' | 'id'>;

export function TextAreaField({ name, id, label, hint, errorPath, rows = 3, ...textarea }: TextAreaProps) {
  const { register } = useFormContext();
  const error = useFieldError(name, errorPath);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={rows}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...textarea}
        {...register(name)}
      />
      <Described id={id} error={error} hint={hint} />
    </div>
  );
}

type SelectProps = Common &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name' | 'id'> & {
    options: ReadonlyArray<{ value: string; label: string }>;
  };

export function SelectField({ name, id, label, hint, errorPath, options, ...select }: SelectProps) {
  const { register } = useFormContext();
  const error = useFieldError(name, errorPath);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...select}
        {...register(name)}
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

export function CheckboxField({ name, id, label, errorPath }: Omit<Common, 'hint'>) {
  const { register } = useFormContext();
  const error = useFieldError(name, errorPath);
  return (
    <div className="checkbox">
      <input
        id={id}
        type="checkbox"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        {...register(name)}
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

/** HTTP method checkboxes for a string[] field, in a fieldset with one legend. */
export function MethodChecksField({
  name,
  idPrefix,
  legend,
  hint,
}: {
  name: string;
  idPrefix: string;
  legend: string;
  hint?: string;
}) {
  const { control } = useFormContext();
  const error = useFieldError(name);
  return (
    <fieldset className="checks" aria-describedby={error ? `${idPrefix}-error` : undefined}>
      <legend>{legend}</legend>
      {hint ? <p className="hint">{hint}</p> : null}
      <Controller
        control={control}
        name={name}
        render={({ field }) => {
          const selected = field.value as string[];
          return (
            <div className="check-row">
              {HTTP_METHODS.map((method) => (
                <label key={method} className="check" htmlFor={`${idPrefix}-${method}`}>
                  <input
                    id={`${idPrefix}-${method}`}
                    type="checkbox"
                    disabled={field.disabled}
                    checked={selected.includes(method)}
                    onBlur={field.onBlur}
                    onChange={(e) =>
                      field.onChange(
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
          );
        }}
      />
      {error ? (
        <p id={`${idPrefix}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** A message for a whole list (e.g. "at most 10 windows"), when no row shows one of its own. */
export function ListError({ path }: { path: string }) {
  const { formState } = useFormContext();
  let node: unknown = formState.errors;
  for (const key of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
  const own = node as { message?: string; root?: { message?: string } } | undefined;
  const message = own?.message ?? own?.root?.message;
  return message ? <p className="field-error">{message}</p> : null;
}
