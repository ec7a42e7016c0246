'use client';

import { useFormContext } from 'react-hook-form';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { formError } from '../../trpc/client';

/** Shown above the submit button when fields were rejected (each shows its own message). */
export const FIX_FIELDS = 'Some fields need attention: see the messages next to them.';

/**
 * The submit row of a draft form: a form-level message (the server's, or "fix the fields"), the save
 * button (enabled once something changed), and the saved note. Read-only users get `readOnlyText`.
 */
export function SaveBar({
  label,
  savedText = 'Saved',
  saved,
  pending,
  error,
  readOnlyText,
  children,
}: {
  label: string;
  savedText?: string;
  saved: boolean;
  pending: boolean;
  error: unknown;
  readOnlyText?: string;
  children?: React.ReactNode;
}) {
  const { formState } = useFormContext();
  const hasFieldErrors = Object.keys(formState.errors).length > 0;
  const message = formError(error) ?? (hasFieldErrors ? FIX_FIELDS : null);
  if (readOnlyText && formState.disabled) {
    return <p className="text-muted">{readOnlyText}</p>;
  }
  return (
    <>
      <FormMessage message={message} />
      <div className="form-actions">
        {children}
        <Button type="submit" disabled={pending || !formState.isDirty}>
          {pending ? 'Saving…' : label}
        </Button>
        <span className="saved" role="status">
          {saved && !pending ? savedText : ''}
        </span>
      </div>
    </>
  );
}
