'use client';

import { TextAreaField } from '~/components/config-fields';
import { Field } from '~/components/ui/field';

/** The write-only secret: a password input for API keys, a text area for a pasted JSON key file. */
export function CredentialSecretField({
  id,
  label,
  hint,
  multiline,
  value,
  error,
  onChange,
}: {
  id: string;
  label: string;
  hint: string;
  multiline: boolean;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  if (multiline) {
    return (
      <TextAreaField
        id={id}
        label={label}
        hint={hint}
        rows={4}
        autoComplete="off"
        spellCheck={false}
        placeholder='{ "type": "service_account", "project_id": "…", … }'
        value={value}
        error={error}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <Field
      id={id}
      label={label}
      type="password"
      autoComplete="off"
      value={value}
      error={error}
      hint={hint}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
