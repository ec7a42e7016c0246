import type { FieldValues, UseFormSetError } from 'react-hook-form';
import { fieldErrors } from '../../trpc/client';

/**
 * Puts the server's field messages (tRPC errors carry them as `data.fields`, keyed by dotted path) on
 * the form's fields. `toField` maps a server path to the form's path when the two differ. Returns
 * whether any field got a message.
 */
export function applyServerErrors<T extends FieldValues>(
  setError: UseFormSetError<T>,
  error: unknown,
  toField: (path: string) => string = (path) => path,
): boolean {
  const fields = Object.entries(fieldErrors(error));
  fields.forEach(([path, message], i) => {
    setError(
      toField(path) as Parameters<UseFormSetError<T>>[0],
      { type: 'server', message },
      {
        shouldFocus: i === 0,
      },
    );
  });
  return fields.length > 0;
}
