import { type HeaderTransform, refusedResponseHeader } from '@portcullis/core/policies';

/**
 * Headers a transform may not touch. Framing headers would corrupt the message; the consumer's gateway
 * credentials must never be copied (renamed) to where the upstream can read them; the request id and
 * Host belong to the gateway.
 */
const PROTECTED_REQUEST = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'authorization',
  'x-api-key',
  'x-request-id',
]);
const PROTECTED_RESPONSE = new Set(['content-length', 'transfer-encoding', 'connection', 'x-request-id']);

/** The surface both an IncomingHttpHeaders record and a ServerResponse can be adapted to. */
export interface HeaderAccess {
  get(name: string): string | string[] | number | undefined;
  set(name: string, value: string | string[] | number): void;
  delete(name: string): void;
}

export const isEmptyTransform = (t: HeaderTransform): boolean =>
  Object.keys(t.add).length === 0 && t.remove.length === 0 && Object.keys(t.rename).length === 0;

/**
 * rename, then remove, then add (add overwrites), each skipping protected headers. On responses it also
 * skips what the portal refuses to save (cookies, origin-wide headers, active content types: the origin is
 * shared by every tenant), so a document saved before that rule cannot produce them either.
 */
export function applyHeaderTransform(
  headers: HeaderAccess,
  transform: HeaderTransform,
  direction: 'request' | 'response',
): void {
  const guarded = direction === 'request' ? PROTECTED_REQUEST : PROTECTED_RESPONSE;
  const response = direction === 'response';
  for (const [from, to] of Object.entries(transform.rename)) {
    if (guarded.has(from) || guarded.has(to)) continue;
    if (response && refusedResponseHeader(to) !== null) continue;
    const value = headers.get(from);
    if (value === undefined) continue;
    headers.delete(from);
    headers.set(to, value);
  }
  for (const name of transform.remove) if (!guarded.has(name)) headers.delete(name);
  for (const [name, value] of Object.entries(transform.add)) {
    if (guarded.has(name) || (response && refusedResponseHeader(name, value) !== null)) continue;
    headers.set(name, value);
  }
}

export function recordAccess(record: Record<string, string | string[] | number | undefined>): HeaderAccess {
  return {
    get: (name) => record[name],
    set: (name, value) => {
      record[name] = value;
    },
    delete: (name) => {
      delete record[name];
    },
  };
}
