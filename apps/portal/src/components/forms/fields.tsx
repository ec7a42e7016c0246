'use client';

import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';
import { useFormContext } from 'react-hook-form';
import { controlClass, describedBy, FieldShell } from '~/components/ui/field';
import { CheckboxControl, SelectControl, TextAreaControl } from './controls';
import { messageAt } from './field-messages';

export { MethodChecksField } from './method-checks';

/**
 * Inputs bound to the surrounding react-hook-form (FormProvider) by field path, drawn with the kit's
 * field look (forms/controls). Each shows the first message at or under its path (client validation or
 * the server's), linked for screen readers.
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

export function TextField({ name, id, label, hint, errorPath, className, ...input }: InputProps) {
  const { register } = useFormContext();
  const error = useFieldError(name, errorPath);
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      <input
        id={id}
        className={className ? `${controlClass} ${className}` : controlClass}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...input}
        {...register(name)}
      />
    </FieldShell>
  );
}

/** A number typed as text (the draft keeps text; the form's schema turns it into a number). */
export function NumberField(props: InputProps) {
  return <TextField type="number" inputMode="numeric" {...props} />;
}

type TextAreaProps = Common & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name' | 'id'>;

export function TextAreaField({ name, errorPath, ...textarea }: TextAreaProps) {
  const { register } = useFormContext();
  return <TextAreaControl error={useFieldError(name, errorPath)} {...textarea} {...register(name)} />;
}

type SelectProps = Common &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name' | 'id'> & {
    options: ReadonlyArray<{ value: string; label: string }>;
  };

export function SelectField({ name, errorPath, ...select }: SelectProps) {
  const { register } = useFormContext();
  return <SelectControl error={useFieldError(name, errorPath)} {...select} {...register(name)} />;
}

export function CheckboxField({ name, id, label, errorPath }: Omit<Common, 'hint'>) {
  const { register } = useFormContext();
  const error = useFieldError(name, errorPath);
  return <CheckboxControl id={id} label={label} error={error} {...register(name)} />;
}

/** A message for a whole list (e.g. "at most 10 windows"), when no row shows one of its own. */
export function ListError({ path }: { path: string }) {
  const { formState } = useFormContext();
  let node: unknown = formState.errors;
  for (const key of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
  const own = node as { message?: string; root?: { message?: string } } | undefined;
  const message = own?.message ?? own?.root?.message;
  return message ? <p className="field-error m-0 text-sm text-danger">{message}</p> : null;
}

/** One choice of a radio group, its label beside it; the surrounding fieldset's legend names the group. */
export function RadioField({
  name,
  id,
  label,
  value,
}: Omit<Common, 'hint' | 'errorPath'> & { value: string }) {
  const { register } = useFormContext();
  return (
    <div className="mb-2 flex items-center gap-2">
      <input
        id={id}
        type="radio"
        value={value}
        className="m-0 size-4 w-auto accent-accent"
        {...register(name)}
      />
      <label htmlFor={id} className="text-sm">
        {label}
      </label>
    </div>
  );
}
