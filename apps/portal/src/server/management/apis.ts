import { notFound } from '@portcullis/core/errors';
import { ZApiCreate, ZApiRetire, ZApiUpdate, ZOpenApiSpecSet } from '@portcullis/core/schemas';
import {
  createApi,
  getApiBySlug,
  listApis,
  publishApi,
  updateApiDetails,
} from '@portcullis/services/verbs/api';
import { deprecateApi, retireApi, ZApiDeprecate } from '@portcullis/services/verbs/lifecycle';
import { setOpenApiSpec } from '@portcullis/services/verbs/policies';
import { z } from 'zod';
import { endpoint, type ManagementCtx, out, verbCtxOf, ZIsoDateTime } from './endpoint';

const ZApiParams = z.object({ apiId: z.string().min(1).max(64) });

const ZApiOut = out({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  kind: z.string(),
  status: z.enum(['DRAFT', 'PUBLISHED', 'DEPRECATED', 'RETIRED']),
  visibility: z.enum(['PRIVATE', 'ORG', 'PUBLIC']),
});

/** The API's slug for `getApiBySlug`, from the org's own list: another org's id is simply not there. */
async function slugOf(ctx: ManagementCtx, apiId: string): Promise<string> {
  const api = (await listApis(verbCtxOf(ctx))).find((row) => row.id === apiId);
  if (!api) throw notFound('API');
  return api.slug;
}

/** What a lifecycle change answers: the API's new status and, once deprecated, its sunset. */
const ZTransitionOut = out({
  id: z.string(),
  status: z.enum(['DRAFT', 'PUBLISHED', 'DEPRECATED', 'RETIRED']),
  sunsetAt: z.string().nullable().optional(),
});

export const API_ENDPOINTS = [
  endpoint({
    id: 'apis.list',
    method: 'GET',
    path: '/apis',
    summary: "List the org's APIs",
    scope: 'apis:read',
    permission: 'api.read',
    output: z.array(ZApiOut),
    handler: (ctx) => listApis(verbCtxOf(ctx)),
  }),
  endpoint({
    id: 'apis.get',
    method: 'GET',
    path: '/apis/{apiId}',
    summary: 'Get an API with its plans',
    scope: 'apis:read',
    permission: 'api.read',
    params: ZApiParams,
    output: ZApiOut.extend({ plans: z.array(z.looseObject({ id: z.string(), name: z.string() })) }),
    handler: async (ctx, input) => getApiBySlug(verbCtxOf(ctx), { apiSlug: await slugOf(ctx, input.apiId) }),
  }),
  endpoint({
    id: 'apis.create',
    method: 'POST',
    path: '/apis',
    summary: 'Create an API (a draft until published)',
    scope: 'apis:write',
    permission: 'api.write',
    body: ZApiCreate,
    output: ZApiOut,
    status: 201,
    handler: (ctx, input) => createApi(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'apis.update',
    method: 'PATCH',
    path: '/apis/{apiId}',
    summary: 'Update name, description, tags and visibility',
    scope: 'apis:write',
    permission: 'api.write',
    params: ZApiParams,
    body: ZApiUpdate.omit({ apiId: true }),
    output: ZApiOut,
    handler: (ctx, input) => updateApiDetails(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'apis.publish',
    method: 'POST',
    path: '/apis/{apiId}/publish',
    summary: 'Publish a draft API',
    scope: 'apis:write',
    permission: 'api.write',
    params: ZApiParams,
    output: ZApiOut,
    handler: (ctx, input) => publishApi(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'apis.deprecate',
    method: 'POST',
    path: '/apis/{apiId}/deprecate',
    summary: 'Deprecate an API with a sunset date; subscribers are notified',
    scope: 'apis:write',
    permission: 'api.lifecycle',
    params: ZApiParams,
    body: ZApiDeprecate.omit({ apiId: true }).extend({ sunsetAt: ZIsoDateTime }),
    output: ZTransitionOut,
    handler: (ctx, input) => deprecateApi(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'apis.retire',
    method: 'POST',
    path: '/apis/{apiId}/retire',
    summary: 'Retire an API: every consumer is cut off (confirm with the slug)',
    scope: 'apis:write',
    permission: 'api.lifecycle',
    params: ZApiParams,
    body: ZApiRetire.omit({ apiId: true }),
    output: ZTransitionOut,
    handler: (ctx, input) => retireApi(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'apis.setOpenApi',
    method: 'PUT',
    path: '/apis/{apiId}/openapi',
    summary: "Upload the API's OpenAPI document (JSON or YAML text; null removes it)",
    scope: 'apis:write',
    permission: 'policy.write',
    params: ZApiParams,
    body: ZOpenApiSpecSet.omit({ apiId: true }),
    output: z.looseObject({}),
    handler: (ctx, input) => setOpenApiSpec(verbCtxOf(ctx), input),
  }),
];
