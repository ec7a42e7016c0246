import type { FormObject, FormValue } from './form.ts';
import type { FakeStripeState, StripeObject } from './state.ts';

/** Stripe's error body: `{ error: { type, code?, message, param? } }`. */
export interface StripeErrorBody {
  type: 'invalid_request_error' | 'api_error' | 'idempotency_error' | 'card_error' | 'rate_limit_error';
  code?: string;
  message: string;
  param?: string;
}

/**
 * A refusal in Stripe's shape. `beforeExecution` marks parameter validation failures: Stripe saves no
 * idempotent result for those, so a corrected retry with the same key is executed.
 */
export class FakeStripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly beforeExecution = false,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

export interface RouteContext {
  state: FakeStripeState;
  account: string;
  livemode: boolean;
  params: FormObject;
  pathParams: string[];
  nowSeconds: number;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: RegExp;
  handle(ctx: RouteContext): unknown;
}

export const missingParam = (param: string) =>
  new FakeStripeError(
    400,
    {
      type: 'invalid_request_error',
      code: 'parameter_missing',
      message: `Missing required param: ${param}.`,
      param,
    },
    true,
  );

const unknownParam = (param: string) =>
  new FakeStripeError(
    400,
    {
      type: 'invalid_request_error',
      code: 'parameter_unknown',
      message: `Received unknown parameter: ${param}`,
      param,
    },
    true,
  );

export const invalidParam = (param: string, message: string, code?: string) =>
  new FakeStripeError(
    400,
    { type: 'invalid_request_error', ...(code ? { code } : {}), message, param },
    true,
  );

export const noSuch = (noun: string, id: string, param = 'id') =>
  new FakeStripeError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${noun}: '${id}'`,
    param,
  });

export const badRequest = (message: string, param?: string, code?: string) =>
  new FakeStripeError(400, {
    type: 'invalid_request_error',
    message,
    ...(param ? { param } : {}),
    ...(code ? { code } : {}),
  });

/** Refuses parameters the real endpoint does not know, the way Stripe does (names the first one). */
export function allowOnly(value: FormObject, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(value)) {
    if (key === 'expand' && prefix === '') continue;
    if (!allowed.includes(key)) unknownParamThrow(prefix ? `${prefix}[${key}]` : key);
  }
}

function unknownParamThrow(param: string): never {
  throw unknownParam(param);
}

export function str(params: FormObject, name: string, required: true): string;
export function str(params: FormObject, name: string, required?: false): string | undefined;
export function str(params: FormObject, name: string, required = false): string | undefined {
  const value = params[name];
  if (value === undefined) {
    if (required) throw missingParam(name);
    return undefined;
  }
  if (typeof value !== 'string') throw invalidParam(name, `Invalid string: ${JSON.stringify(value)}`);
  if (required && value === '')
    throw invalidParam(name, `You passed an empty string for '${name}'.`, 'parameter_invalid_empty');
  return value;
}

export function int(params: FormObject, name: string): number | undefined {
  const value = str(params, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value))
    throw invalidParam(name, `Invalid integer: ${value}`, 'parameter_invalid_integer');
  return Number(value);
}

export function bool(params: FormObject, name: string): boolean | undefined {
  const value = str(params, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw invalidParam(name, `Invalid boolean: ${value}`);
  return value === 'true';
}

export function hash(params: FormObject, name: string): FormObject | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParam(name, `Invalid hash`);
  return value;
}

export function array(params: FormObject, name: string): FormValue[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalidParam(name, `Invalid array`);
  return value;
}

export function asHash(value: FormValue, param: string): FormObject {
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParam(param, 'Invalid hash');
  return value;
}

/** Stripe merges metadata updates key by key; an empty string removes a key (or, for the whole hash, all). */
export function mergeMetadata(
  current: Record<string, string>,
  given: FormValue | undefined,
): Record<string, string> {
  if (given === undefined) return current;
  if (given === '') return {};
  if (typeof given !== 'object' || Array.isArray(given)) throw invalidParam('metadata', 'Invalid hash');
  const next = { ...current };
  for (const [key, value] of Object.entries(given)) {
    if (typeof value !== 'string') throw invalidParam(`metadata[${key}]`, 'Metadata values must be strings');
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}

/** Stripe's list envelope with cursor pagination (newest first). */
export function listOf(url: string, items: StripeObject[], params: FormObject) {
  const limit = Math.min(Math.max(int(params, 'limit') ?? 10, 1), 100);
  const startingAfter = str(params, 'starting_after');
  const sorted = [...items].sort((a, b) => (b.created as number) - (a.created as number));
  let start = 0;
  if (startingAfter) {
    const index = sorted.findIndex((item) => item.id === startingAfter);
    if (index < 0) throw noSuch('object', startingAfter, 'starting_after');
    start = index + 1;
  }
  const page = sorted.slice(start, start + limit);
  return { object: 'list', data: page, has_more: start + limit < sorted.length, url };
}

/** The account's object with this id; other accounts' objects are as missing as unknown ids. */
export function owned(
  ctx: RouteContext,
  map: Map<string, StripeObject>,
  noun: string,
  id: string,
  param = 'id',
): StripeObject {
  const found = ctx.state.find(map, id, ctx.account);
  if (!found) throw noSuch(noun, id, param);
  return found;
}

export function liveCustomer(ctx: RouteContext, id: string, param = 'customer'): StripeObject {
  const customer = owned(ctx, ctx.state.customers, 'customer', id, param);
  if (customer.deleted) throw noSuch('customer', id, param);
  return customer;
}

export function url(params: FormObject, name: string): string | undefined {
  const value = str(params, name);
  if (value === undefined) return undefined;
  try {
    new URL(value);
  } catch {
    throw invalidParam(name, 'Not a valid URL', 'url_invalid');
  }
  return value;
}

/** GET /v1/<things>/:id */
export function retrieve(map: (state: FakeStripeState) => Map<string, StripeObject>, noun: string) {
  return (ctx: RouteContext) => owned(ctx, map(ctx.state), noun, ctx.pathParams[0]!);
}
