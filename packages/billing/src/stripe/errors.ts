/**
 * Reads errors thrown by stripe-node by shape rather than `instanceof`, so errors from a second copy of
 * the library (CJS next to ESM) are recognized too.
 */
export interface StripeErrorShape {
  type: string;
  rawType?: string;
  code?: string;
  param?: string;
  statusCode?: number;
  message: string;
  headers?: Record<string, string>;
}

export function asStripeError(error: unknown): StripeErrorShape | null {
  if (!(error instanceof Error)) return null;
  const candidate = error as Partial<StripeErrorShape>;
  return typeof candidate.type === 'string' && candidate.type.startsWith('Stripe')
    ? (candidate as StripeErrorShape)
    : null;
}

export function isResourceMissing(error: unknown): boolean {
  return asStripeError(error)?.code === 'resource_missing';
}

/**
 * Stripe refuses a meter event whose identifier it already holds. v1 answers 400 invalid_request_error
 * with no code and the message "An event already exists with identifier …"; v2 and some responses use
 * the code `duplicate_meter_event`. Either way the usage is already recorded.
 */
export function isDuplicateMeterEventError(error: unknown): boolean {
  const stripeError = asStripeError(error);
  if (!stripeError) return false;
  if (stripeError.code === 'duplicate_meter_event') return true;
  return (
    stripeError.statusCode === 400 &&
    stripeError.rawType === 'invalid_request_error' &&
    /already exists with identifier|duplicate identifier/i.test(stripeError.message)
  );
}

/**
 * Whether sending the same request again later can succeed: connection failures, timeouts, rate limits,
 * lock conflicts and server errors. A 4xx validation refusal will be refused again.
 */
export function isRetryableStripeError(error: unknown): boolean {
  const stripeError = asStripeError(error);
  if (!stripeError) return false;
  if (stripeError.type === 'StripeConnectionError' || stripeError.type === 'StripeAPIError') return true;
  const status = stripeError.statusCode;
  return status !== undefined && (status === 409 || status === 429 || status >= 500);
}

export function describeStripeError(error: unknown): string {
  const stripeError = asStripeError(error);
  if (!stripeError) return error instanceof Error ? error.message : String(error);
  const parts = [stripeError.statusCode ? `HTTP ${stripeError.statusCode}` : stripeError.type];
  if (stripeError.code) parts.push(stripeError.code);
  if (stripeError.param) parts.push(`param ${stripeError.param}`);
  return `${parts.join(' ')}: ${stripeError.message}`;
}
