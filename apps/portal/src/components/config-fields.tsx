'use client';

import type { ReactNode } from 'react';
import {
  CheckboxControl,
  type CheckboxControlProps,
  SelectControl,
  type SelectControlProps,
  TextAreaControl,
  type TextAreaControlProps,
} from './forms/controls';

export { lines } from './forms/draft-text';

/**
 * Controlled inputs for forms that keep their own state (the react-hook-form fields in forms/fields
 * render through the same controls in forms/controls). Server field errors arrive keyed by dotted path
 * (`cors.allowOrigins`, `targets.0.url`); `errorFor` picks the first one under a prefix so a whole
 * list can show one message.
 */
export function errorFor(errors: Record<string, string>, ...prefixes: string[]): string | undefined {
  for (const prefix of prefixes) {
    if (errors[prefix]) return errors[prefix];
    const nested = Object.keys(errors).find((key) => key.startsWith(`${prefix}.`));
    if (nested) return errors[nested];
  }
  return undefined;
}

type Plain<P> = Omit<P, 'label' | 'error'> & { label: string; error?: string };

export function TextAreaField(props: Plain<TextAreaControlProps>) {
  return <TextAreaControl {...props} />;
}

export function SelectField(props: Plain<SelectControlProps>) {
  return <SelectControl {...props} />;
}

export function CheckboxField({
  onChange,
  ...props
}: Omit<Plain<CheckboxControlProps>, 'onChange' | 'checked'> & {
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return <CheckboxControl {...props} onChange={(e) => onChange(e.target.checked)} />;
}

/** Saved confirmation, announced politely; hidden while the form is dirty again. */
export function SavedNote({ show, children = 'Saved' }: { show: boolean; children?: ReactNode }) {
  return (
    <span className="saved" role="status">
      {show ? children : ''}
    </span>
  );
}

/** '' → null (unlimited); anything else → a number the server validates. */
export const numberOrNull = (value: string): number | null => (value.trim() === '' ? null : Number(value));
