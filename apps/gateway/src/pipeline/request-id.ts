import type { IncomingHttpHeaders } from 'node:http';
import { uuidv7 } from '@portcullis/core/ids';

// Short, printable, no spaces: safe to log and to echo back in a header.
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The client's x-request-id when it is usable, otherwise a new one. The gateway's own ids are UUIDv7:
 * an admitted request's usage event takes the same id (see chain/admit.ts), so a client can match any
 * answered request to what it was billed.
 */
export function resolveRequestId(headers: IncomingHttpHeaders): string {
  const incoming = headers['x-request-id'];
  if (typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming)) return incoming;
  return uuidv7();
}

/** True when the gateway made the request id (a client's own id is never trusted to be unique). */
export const isGatewayRequestId = (requestId: string, headers: IncomingHttpHeaders): boolean =>
  headers['x-request-id'] !== requestId;
