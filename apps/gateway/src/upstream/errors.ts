import { type GatewayProblem, problem } from '../http/problem.ts';
import { UPSTREAM_FORBIDDEN } from './connector.ts';

/** What went wrong on one attempt, as far as retries, breakers and the client's problem care. */
export type AttemptFailure =
  | 'forbidden'
  | 'connect_refused'
  | 'connect_timeout'
  | 'reset'
  | 'response_timeout'
  | 'aborted'
  /** the request body broke off on the client's side: hung up, timed out, or cut at the size limit */
  | 'client_body'
  | 'other';

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects fail with an AggregateError of per-address errors.
  const inner = (error as { errors?: unknown[] }).errors?.[0];
  return inner === undefined ? undefined : errorCode(inner);
}

const BY_CODE: Record<string, AttemptFailure> = {
  [UPSTREAM_FORBIDDEN]: 'forbidden',
  ECONNREFUSED: 'connect_refused',
  EHOSTUNREACH: 'connect_refused',
  ENETUNREACH: 'connect_refused',
  EADDRNOTAVAIL: 'connect_refused',
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
  ETIMEDOUT: 'connect_timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_HEADERS_TIMEOUT: 'response_timeout',
  UND_ERR_BODY_TIMEOUT: 'response_timeout',
  UND_ERR_ABORTED: 'aborted',
  ABORT_ERR: 'aborted',
};

export function classifyAttemptError(error: unknown): AttemptFailure {
  const code = errorCode(error);
  if (code && code in BY_CODE) return BY_CODE[code] ?? 'other';
  if (error instanceof Error && error.name === 'AbortError') return 'aborted';
  return 'other';
}

/**
 * Failures a retry may fix: nothing reached the upstream's application (refused, connect timeout), or the
 * connection dropped before any response byte. Only ever used for idempotent requests without a body.
 */
export const isRetryable = (failure: AttemptFailure): boolean =>
  failure === 'connect_refused' || failure === 'connect_timeout' || failure === 'reset';

/** The client ended the attempt: it left, or its body broke off, timed out or outgrew the limit. */
export const isClientFault = (failure: AttemptFailure): boolean =>
  failure === 'aborted' || failure === 'client_body';

/**
 * Failures that say something about the target's health: not the guard, and nothing the client caused,
 * or one consumer could open a breaker (or eject a target) for every other.
 */
export const countsAgainstTarget = (failure: AttemptFailure): boolean =>
  failure !== 'forbidden' && !isClientFault(failure);

export function attemptProblem(failure: AttemptFailure): GatewayProblem {
  switch (failure) {
    case 'forbidden':
      return problem(
        'upstream_forbidden',
        'The upstream address is not allowed (private, loopback or metadata address).',
      );
    case 'connect_timeout':
      return problem('upstream_timeout', 'The upstream did not accept the connection in time.');
    case 'response_timeout':
      return problem('upstream_timeout', 'The upstream did not answer in time.');
    case 'aborted':
      return problem('client_closed', 'The client closed the connection before the upstream answered.');
    case 'client_body':
      return problem('client_closed', 'The request body broke off before it was complete.');
    default:
      return problem('upstream_unreachable', 'The upstream could not be reached.');
  }
}
