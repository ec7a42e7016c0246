import {
  listPromptVersions,
  publishPromptVersion,
  setPromptRelease,
  ZPromptReleaseSet,
  ZPromptVersionPublish,
} from '@portcullis/services/verbs/prompt-versions';
import { z } from 'zod';
import { endpoint, out, verbCtxOf } from './endpoint';

const ZApiParams = z.object({ apiId: z.string().min(1).max(64) });

const ZReleaseOut = z
  .object({ versionA: z.number(), versionB: z.number().optional(), weightB: z.number() })
  .nullable();

const ZVersionOut = out({
  number: z.number(),
  note: z.string(),
  createdAt: z.date().or(z.string()),
  createdBy: z.string().nullable(),
  /** percent of live calls this version gets; null when it is not released */
  livePercent: z.number().nullable(),
  config: z.looseObject({}),
});

/**
 * A PROMPT API's versions: publish snapshots the working copy (the prompt as last saved) as the next
 * number; the release says which version (or weighted split of two) live traffic runs.
 */
export const PROMPT_VERSION_ENDPOINTS = [
  endpoint({
    id: 'apis.promptVersions',
    method: 'GET',
    path: '/apis/{apiId}/prompt/versions',
    summary: "A prompt API's published versions (newest first, paged) and its release",
    scope: 'apis:read',
    permission: 'api.read',
    params: ZApiParams,
    query: z.object({
      /** `nextCursor` of the previous page */
      cursor: z.coerce.number().int().min(1).max(1_000_000).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    output: out({
      apiId: z.string(),
      release: ZReleaseOut,
      items: z.array(ZVersionOut),
      /** the number to pass as `cursor` for the next (older) page; null on the last page */
      nextCursor: z.number().nullable(),
    }),
    handler: (ctx, input) => listPromptVersions(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'apis.publishPromptVersion',
    method: 'POST',
    path: '/apis/{apiId}/prompt/versions',
    summary: "Publish the prompt's working copy as the next version (live traffic is unchanged)",
    scope: 'apis:write',
    permission: 'policy.write',
    params: ZApiParams,
    body: ZPromptVersionPublish.omit({ apiId: true }),
    output: out({ apiId: z.string(), number: z.number(), note: z.string() }),
    status: 201,
    handler: (ctx, input) => publishPromptVersion(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'apis.setPromptRelease',
    method: 'PUT',
    path: '/apis/{apiId}/prompt/release',
    summary:
      'Release one version (roll back by naming an older one), split traffic between two by weightB %, or null for the working copy',
    scope: 'apis:write',
    permission: 'policy.write',
    params: ZApiParams,
    body: ZPromptReleaseSet.omit({ apiId: true }),
    output: out({ apiId: z.string(), release: ZReleaseOut }),
    handler: (ctx, input) => setPromptRelease(verbCtxOf(ctx), input),
  }),
];
