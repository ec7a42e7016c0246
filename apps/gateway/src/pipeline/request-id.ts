import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

// Short, printable, no spaces: safe to log and to echo back in a header.
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function resolveRequestId(headers: IncomingHttpHeaders): string {
  const incoming = headers['x-request-id'];
  if (typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming)) return incoming;
  return randomUUID();
}
