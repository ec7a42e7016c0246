/** Domain errors: verbs throw these; the tRPC layer maps them to TRPCError in one place. */
export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'TOO_MANY_REQUESTS'
  /** a service the verb depends on (e.g. Stripe) could not be reached: retry later, nothing was changed */
  | 'UNAVAILABLE';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Field-level message for forms: { email: 'already registered' }. */
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
export const forbidden = (why = 'You do not have permission to do this') => new DomainError('FORBIDDEN', why);
export const conflict = (message: string, fields?: Record<string, string>) =>
  new DomainError('CONFLICT', message, fields);
export const badRequest = (message: string, fields?: Record<string, string>) =>
  new DomainError('BAD_REQUEST', message, fields);
/** A throttled action; the message says when to try again. */
export const tooManyRequests = (message: string) => new DomainError('TOO_MANY_REQUESTS', message);
export const unavailable = (message: string) => new DomainError('UNAVAILABLE', message);
