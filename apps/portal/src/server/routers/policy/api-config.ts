import {
  ZApiBySlug,
  ZApiPoliciesUpdate,
  ZOpenApiSpecSet,
  ZUpstreamConfigUpdate,
} from '@portcullis/core/schemas';
import {
  getApiConfig,
  setOpenApiSpec,
  updateApiPolicies,
  updateUpstreamConfig,
} from '@portcullis/services/verbs/policies';
import { can } from '../../permissions';
import { orgProcedure, verbCtx } from '../../trpc';

/** Request policies, upstream targets and the OpenAPI document of one API. */
export const apiConfigProcedures = {
  get: orgProcedure('api.read')
    .input(ZApiBySlug)
    .query(async ({ ctx, input }) => ({
      ...(await getApiConfig(verbCtx(ctx), input)),
      canWrite: can(ctx.role, 'policy.write'),
    })),
  updatePolicies: orgProcedure('policy.write')
    .input(ZApiPoliciesUpdate)
    .mutation(({ ctx, input }) => updateApiPolicies(verbCtx(ctx), input)),
  updateUpstream: orgProcedure('policy.write')
    .input(ZUpstreamConfigUpdate)
    .mutation(({ ctx, input }) => updateUpstreamConfig(verbCtx(ctx), input)),
  setOpenApiSpec: orgProcedure('policy.write')
    .input(ZOpenApiSpecSet)
    .mutation(({ ctx, input }) => setOpenApiSpec(verbCtx(ctx), input)),
};
