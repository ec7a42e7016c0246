'use client';

import { Controller, useFormContext } from 'react-hook-form';
import { messageAt } from './field-messages';
import { HTTP_METHODS, toggleMethod } from './methods';

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
  const { control, formState } = useFormContext();
  const error = messageAt(formState.errors, name);
  return (
    <fieldset className="checks" aria-describedby={error ? `${idPrefix}-error` : undefined}>
      <legend>{legend}</legend>
      {hint ? <p className="m-0 text-sm text-muted">{hint}</p> : null}
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
                    className="accent-accent"
                    disabled={field.disabled}
                    checked={selected.includes(method)}
                    onBlur={field.onBlur}
                    onChange={(e) => field.onChange(toggleMethod(selected, method, e.target.checked))}
                  />
                  {method}
                </label>
              ))}
            </div>
          );
        }}
      />
      {error ? (
        <p id={`${idPrefix}-error`} className="field-error m-0 text-sm text-danger">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
