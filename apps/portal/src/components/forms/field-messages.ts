import type { FieldError, FieldErrors } from 'react-hook-form';

/* Reading a form's messages by field path: plain functions, apart from the tRPC client (forms/errors). */

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
