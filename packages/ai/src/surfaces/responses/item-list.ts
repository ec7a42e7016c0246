import { openAIError } from '../../errors.ts';
import type { OpenAIErrorBody } from '../../types.ts';
import type { Validated } from '../../validate.ts';

/*
 * The query of GET /v1/responses/{id}/input_items and the page it selects, as OpenAI's list endpoints
 * have them: `limit` (1–100, default 20), `order` (`asc` | `desc`, default `desc`), `after` (an item id:
 * the page starts past it) and `include`. The official clients send arrays as `include[]=…`.
 */

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export interface ItemListQuery {
  limit: number;
  order: 'asc' | 'desc';
  after: string | null;
}

export interface ItemList<T> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** `include` values that name output the gateway never produces (hosted tools, logprobs, encrypted reasoning). */
const UNSUPPORTED_INCLUDES = new Set([
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
  'reasoning.encrypted_content',
  'message.output_text.logprobs',
]);
/** Listed items always carry their image URLs: asking for them changes nothing. */
const SUPPORTED_INCLUDES = new Set(['message.input_image.image_url']);

const invalid = (message: string, param: string, code: string): Validated<never> => ({
  ok: false,
  error: openAIError(message, 'invalid_request_error', param, code),
});

const shown = (value: string): string => `'${value.slice(0, 64)}'`;

function parseLimit(raw: string | null): Validated<number> {
  if (raw === null) return { ok: true, value: DEFAULT_LIMIT };
  if (!/^-?\d{1,12}$/.test(raw)) {
    return invalid(
      `Invalid 'limit': expected an integer, but got ${shown(raw)} instead.`,
      'limit',
      'invalid_type',
    );
  }
  const limit = Number(raw);
  if (limit < 1) {
    return invalid(
      `Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${limit} instead.`,
      'limit',
      'integer_below_min_value',
    );
  }
  if (limit > MAX_LIMIT) {
    return invalid(
      `Invalid 'limit': integer above maximum value. Expected a value <= ${MAX_LIMIT}, but got ${limit} instead.`,
      'limit',
      'integer_above_max_value',
    );
  }
  return { ok: true, value: limit };
}

function checkIncludes(params: URLSearchParams): OpenAIErrorBody | null {
  const values = [...params.getAll('include'), ...params.getAll('include[]')].flatMap((value) =>
    value.split(','),
  );
  for (const value of values) {
    if (SUPPORTED_INCLUDES.has(value)) continue;
    if (UNSUPPORTED_INCLUDES.has(value)) {
      return openAIError(
        `include value ${shown(value)} is not supported here: the gateway serves no items that carry it.`,
        'invalid_request_error',
        'include',
        'unsupported_parameter',
      );
    }
    return openAIError(
      `Invalid value for 'include': ${shown(value)}. Supported values are: ${[...SUPPORTED_INCLUDES].map(shown).join(', ')}.`,
      'invalid_request_error',
      'include',
      'invalid_value',
    );
  }
  return null;
}

/** Validates the list query; every bad parameter is a 400 naming it. */
export function parseItemListQuery(params: URLSearchParams): Validated<ItemListQuery> {
  const limit = parseLimit(params.get('limit'));
  if (!limit.ok) return limit;
  const order = params.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    return invalid(
      `Invalid value for 'order': ${shown(order)}. Supported values are: 'asc' and 'desc'.`,
      'order',
      'invalid_value',
    );
  }
  const include = checkIncludes(params);
  if (include) return { ok: false, error: include };
  // An older form of the list API paged backwards with it; answering as if it were absent would be wrong.
  if (params.has('before')) {
    return invalid(
      "The 'before' parameter is not supported here; page with 'after'.",
      'before',
      'unsupported_parameter',
    );
  }
  const after = params.get('after');
  return {
    ok: true,
    value: { limit: limit.value, order, after: after === null || after === '' ? null : after },
  };
}

/** One page of `items` (in conversation order) as the query selects it. */
export function pageItems<T extends { id: string }>(
  items: readonly T[],
  query: ItemListQuery,
): Validated<ItemList<T>> {
  const ordered = query.order === 'asc' ? [...items] : [...items].reverse();
  let start = 0;
  if (query.after !== null) {
    const after = query.after;
    const index = ordered.findIndex((item) => item.id === after);
    if (index === -1) {
      return invalid(`No input item with id ${shown(after)} in this response.`, 'after', 'invalid_value');
    }
    start = index + 1;
  }
  const data = ordered.slice(start, start + query.limit);
  return {
    ok: true,
    value: {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: start + data.length < ordered.length,
    },
  };
}
