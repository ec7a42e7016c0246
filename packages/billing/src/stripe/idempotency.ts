import { createHash } from 'node:crypto';

/** JSON with sorted keys, undefined dropped, bigint and Date spelled out: equal content, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (typeof value === 'bigint') return JSON.stringify(`${value}n`);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

const MAX_IDEMPOTENCY_KEY = 255;

/**
 * A Stripe Idempotency-Key that is the same whenever the same thing is asked for the same scope, so a
 * retry after a crash or a lost response returns the object created the first time (Stripe keeps keys
 * for at least 24 hours). The content hash is part of the key because Stripe refuses a key reused with
 * different parameters.
 */
export function stripeIdempotencyKey(scope: readonly string[], content: unknown): string {
  const key = `portcullis:${scope.join(':')}:${contentHash(content).slice(0, 32)}`;
  if (key.length <= MAX_IDEMPOTENCY_KEY) return key;
  return `portcullis:${contentHash([scope, content])}`;
}
