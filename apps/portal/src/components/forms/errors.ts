import type { FieldError, FieldErrors, FieldValues, UseFormSetError } from 'react-hook-form';
import { fieldErrors } from '../../trpc/client';

const isFieldError = (value: unknown): value is FieldError =>
  typeof value === 'object' && value !== null && typeof (value as FieldError).message === 'string';

/**
 * The first message at `path` or under it. A list typed in one text area (`ipAllow`) gets the server's
 * message for one of its entries (`ipAllow.3`), and a list's own message (`limits`) shows once.
 */
export function messageAt(errors: FieldErrors, path: string): string | undefined {
  let node: unknown = errors;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return firstMessage(node);
}

function firstMessage(node: unknown): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  if (isFieldError(node) && node.message) return node.message;
  for (const [key, child] of Object.entries(node)) {
    if (key === 'ref' || key === 'types') continue;
    const message = firstMessage(child);
    if (message) return message;
  }
  return undefined;
}

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
