import { gatewayModel, type ModelEntry, modelList } from '@portcullis/ai/models';
import { sendJson } from '@portcullis/ai/respond';
import type { AiGatewayConfig, ModelRoute } from '@portcullis/core/ai-config';
import type { AiCalls } from './calls.ts';
import type { AiRequest } from './context.ts';
import { type AiFailure, aiFailure } from './errors.ts';

/*
 * GET /v1/models and GET /v1/models/{id}: the API's model routes, each described by the price table
 * row of its primary (first) target: who serves it, its context window, output limit, modalities and
 * prices. Only routes of this API are listed; a name that is not one is 404 in OpenAI's shape.
 */

export const MODELS_PATH = '/v1/models';

async function entryOf(ai: AiCalls, orgId: string, route: ModelRoute): Promise<ModelEntry> {
  const primary = route.targets[0];
  const described = primary ? await ai.credentials.describe(orgId, primary) : null;
  return { id: route.name, ownedBy: described?.provider, metadata: described?.price };
}

/** Serves the models paths; `rest` is `/v1/models` or `/v1/models/{id}` (without a trailing slash). */
export async function serveModels(
  ai: AiCalls,
  ctx: AiRequest,
  config: AiGatewayConfig,
  rest: string,
  fail: (failure: AiFailure) => { status: number; errorCode: string | null; upstreamMs: number | null },
) {
  if ((ctx.req.method ?? 'GET') !== 'GET') {
    return fail(aiFailure(405, 'method_not_allowed', `Use GET ${rest}.`));
  }
  const headers = { ...ctx.limitHeaders, 'x-request-id': ctx.requestId };
  const orgId = ctx.route.orgId;
  if (rest === MODELS_PATH) {
    const entries = await Promise.all(config.routes.map((route) => entryOf(ai, orgId, route)));
    sendJson(ctx.res, 200, modelList(entries), headers);
    return { status: 200, errorCode: null, upstreamMs: null };
  }
  let id: string;
  try {
    id = decodeURIComponent(rest.slice(MODELS_PATH.length + 1));
  } catch {
    id = rest.slice(MODELS_PATH.length + 1);
  }
  const route = config.routes.find((r) => r.name === id);
  if (!route) {
    return fail(
      aiFailure(404, 'model_not_found', `The model '${id}' does not exist or you do not have access to it.`, {
        param: 'model',
      }),
    );
  }
  sendJson(ctx.res, 200, gatewayModel(await entryOf(ai, orgId, route)), headers);
  return { status: 200, errorCode: null, upstreamMs: null };
}
