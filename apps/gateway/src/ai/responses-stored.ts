import { sendJson } from '@portcullis/ai/respond';
import {
  type ItemListQuery,
  pageItems,
  parseItemListQuery,
} from '@portcullis/ai/surfaces/responses/item-list';
import { storedInputItems } from '@portcullis/ai/surfaces/responses/items';
import type { AiCalls } from './calls.ts';
import type { AiOutcome, AiRequest } from './context.ts';
import { type AiFailure, aiFailure } from './errors.ts';
import type { ResponseScope, StoredResponse } from './responses-store.ts';

/*
 * What the Responses surface serves on a stored response, always within the calling app's scope:
 * GET and DELETE /v1/responses/{id}, GET /v1/responses/{id}/input_items (the items it was generated
 * from, paged). Streaming a stored response (GET …?stream=true) and cancelling one are what OpenAI offers
 * for background responses only; the gateway runs none, so both answer a 400 saying so — after the
 * 404 an unknown id (or another app's) gets, as on OpenAI.
 */

type Fail = (failure: AiFailure) => AiOutcome;

export const scopeOf = (ctx: AiRequest): ResponseScope => ({
  orgId: ctx.route.orgId,
  apiId: ctx.route.apiId,
  appId: ctx.key.appId,
});

export const responseNotFound = (id: string, param: string | null = null): AiFailure =>
  aiFailure(
    404,
    'not_found',
    `Response with id '${id.slice(0, 200).replaceAll('\u0000', '\ufffd')}' not found.`,
    param ? { param } : {},
  );

/** Whether an id could name a stored response: ids never hold NUL (Postgres text refuses it). */
export const storableId = (id: string): boolean => id.length > 0 && !id.includes('\u0000');

/** A path segment as the id it names; null for malformed percent-encoding (no such id exists). */
function decodedId(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export const storeUnavailable = (): AiFailure =>
  aiFailure(
    503,
    'response_store_unavailable',
    'Stored responses cannot be read right now; retry, or send the whole conversation as input.',
  );

/** A read or delete of the store as a value: undefined when Postgres failed (reported, answered 503). */
export async function fromStore<T>(ai: AiCalls, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    ai.responseStoreFailed(error);
    return undefined;
  }
}

const outcome = (status: number): AiOutcome => ({ status, errorCode: null, upstreamMs: null });

const STORED_PATH = /^\/v1\/responses\/([^/]+)(?:\/(input_items|cancel))?$/;

/** OpenAI streams and cancels only background responses; the gateway refuses `background: true`. */
const backgroundOnly = (operation: string, hint: string, param?: string): AiFailure =>
  aiFailure(
    400,
    'background_not_supported',
    `Only responses created with background=true can be ${operation}; this gateway runs no background responses (a stored response is complete when created)${hint}.`,
    param ? { param } : {},
  );

/** Serves /v1/responses/{id}, …/input_items and …/cancel; `rest` has no trailing slash. */
export async function serveStoredResponse(
  ai: AiCalls,
  ctx: AiRequest,
  rest: string,
  fail: Fail,
): Promise<AiOutcome> {
  const match = STORED_PATH.exec(rest);
  const segment = match?.[1];
  if (!match || !segment) return fail(aiFailure(404, 'not_found', `Unknown path ${ctx.rest}.`));
  const action = match[2];
  const method = ctx.req.method ?? 'GET';
  const allowed = action === 'cancel' ? 'POST' : action === 'input_items' ? 'GET' : null;
  if (allowed && method !== allowed) {
    return fail(aiFailure(405, 'method_not_allowed', `Use ${allowed} ${rest}.`));
  }
  if (!allowed && method !== 'GET' && method !== 'DELETE') {
    return fail(aiFailure(405, 'method_not_allowed', `Use GET or DELETE ${rest}.`));
  }
  const id = decodedId(segment);
  if (!id || !storableId(id)) return fail(responseNotFound(id ?? segment));
  const params = new URLSearchParams(ctx.query);
  const query = action === 'input_items' ? parseItemListQuery(params) : null;
  if (query && !query.ok) return fail({ status: 400, body: query.error });

  if (method === 'DELETE') {
    const deleted = await fromStore(ai, () => ai.responseStore.delete(id, scopeOf(ctx)));
    if (deleted === undefined) return fail(storeUnavailable());
    if (!deleted) return fail(responseNotFound(id));
    return send(ctx, { id, object: 'response', deleted: true });
  }
  const stored = await fromStore(ai, () => ai.responseStore.load(id, scopeOf(ctx)));
  if (stored === undefined) return fail(storeUnavailable());
  if (!stored) return fail(responseNotFound(id));
  if (action === 'cancel') return fail(backgroundOnly('cancelled', ''));
  if (query) return listInputItems(ctx, stored, query.value, fail);
  return readStoredResponse(ctx, stored, params.get('stream'), fail);
}

/** GET /v1/responses/{id}: the stored Response as JSON; `stream=true` asks for a background replay. */
function readStoredResponse(
  ctx: AiRequest,
  stored: StoredResponse,
  stream: string | null,
  fail: Fail,
): AiOutcome {
  if (stream === 'true')
    return fail(backgroundOnly('streamed', '; omit stream to read it as JSON', 'stream'));
  if (stream !== null && stream !== 'false') {
    return fail(
      aiFailure(400, 'invalid_value', "Invalid value for 'stream': expected true or false.", {
        param: 'stream',
      }),
    );
  }
  return send(ctx, stored.response);
}

function listInputItems(ctx: AiRequest, stored: StoredResponse, query: ItemListQuery, fail: Fail): AiOutcome {
  const page = pageItems(storedInputItems(stored.items, stored.response), query);
  if (!page.ok) return fail({ status: 400, body: page.error });
  return send(ctx, page.value);
}

function send(ctx: AiRequest, body: unknown): AiOutcome {
  sendJson(ctx.res, 200, body, { ...ctx.limitHeaders, 'x-request-id': ctx.requestId });
  return outcome(200);
}
