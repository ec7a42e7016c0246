import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface CacheKeyInput {
  method: string;
  /** path after /{org}/{api}, still percent-encoded */
  rest: string;
  query: string;
  /** the consumer app; null when the API's cache is public (one copy serves every consumer) */
  appId: string | null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * The primary key of a request (the API id and its config generation are added by the store). Parts are
 * joined with a separator no component can contain, so distinct requests never share a key.
 */
export function primaryCacheKey(input: CacheKeyInput): string {
  return sha256([input.method, input.rest, input.query, input.appId ?? '*public*'].join('\n'));
}

/** The key of one variant: the primary key plus the request's values of the headers the response varies on. */
export function variantCacheKey(
  primary: string,
  vary: readonly string[],
  headers: IncomingHttpHeaders,
): string {
  if (vary.length === 0) return primary;
  const values = vary.map((name) => {
    const value = headers[name];
    return `${name}:${Array.isArray(value) ? value.join(',') : (value ?? '')}`;
  });
  return `${primary}.${sha256(values.join('\n'))}`;
}
