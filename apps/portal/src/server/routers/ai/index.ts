import { ZApiBySlug, ZPlanRef } from '@portcullis/core/schemas';
import {
  getAiApiConfig,
  getApiKind,
  getPlanAiLimits,
  setAiGatewayConfig,
  setPlanAiLimits,
  setPromptConfig,
  ZAiConfigSet,
  ZPlanAiLimitsSet,
} from '@portcullis/services/verbs/ai-api-config';
import {
  aiCallModels,
  aiUsageSummary,
  getAiCall,
  listAiCalls,
  ZAiCallList,
  ZAiCallRef,
  ZAiUsageSummary,
} from '@portcullis/services/verbs/ai-calls';
import {
  createCredential,
  deleteCredential,
  listCredentials,
  updateCredential,
  ZCredentialCreate,
  ZCredentialRef,
  ZCredentialUpdate,
} from '@portcullis/services/verbs/ai-credentials';
import {
  deleteAiPrice,
  listAiPrices,
  setAiPrice,
  ZAiPriceRef,
  ZAiPriceSet,
} from '@portcullis/services/verbs/ai-prices';
import { AI_PROVIDERS } from '@portcullis/services/verbs/ai-shared';
import {
  listPromptVersions,
  publishPromptVersion,
  setPromptRelease,
  ZPromptReleaseSet,
  ZPromptVersionList,
  ZPromptVersionPublish,
} from '@portcullis/services/verbs/prompt-versions';
import { env } from '../../../env';
import { can } from '../../permissions';
import { orgProcedure, router, verbCtx } from '../../trpc';

/** Read per call (not at import), like the Stripe router, so tests and restarts see the current key. */
const encryptionKey = () => env.PORTCULLIS_ENCRYPTION_KEY;

/**
 * The AI gateway's provider side: provider credentials (secrets go in, never out), the model price table,
 * the AI/prompt documents of an API, a prompt API's versions and release, plans' AI limits, the AI call log and its usage summary.
 */
export const aiRouter = router({
  providers: orgProcedure('api.read').query(() => AI_PROVIDERS),

  credentials: orgProcedure('api.read').query(async ({ ctx }) => ({
    items: await listCredentials(verbCtx(ctx)),
    canWrite: can(ctx.role, 'policy.write'),
  })),
  createCredential: orgProcedure('policy.write')
    .input(ZCredentialCreate)
    .mutation(({ ctx, input }) => createCredential(verbCtx(ctx), input, encryptionKey())),
  updateCredential: orgProcedure('policy.write')
    .input(ZCredentialUpdate)
    .mutation(({ ctx, input }) => updateCredential(verbCtx(ctx), input, encryptionKey())),
  deleteCredential: orgProcedure('policy.write')
    .input(ZCredentialRef)
    .mutation(({ ctx, input }) => deleteCredential(verbCtx(ctx), input)),

  prices: orgProcedure('api.read').query(async ({ ctx }) => ({
    items: await listAiPrices(verbCtx(ctx)),
    canWrite: can(ctx.role, 'policy.write'),
  })),
  setPrice: orgProcedure('policy.write')
    .input(ZAiPriceSet)
    .mutation(({ ctx, input }) => setAiPrice(verbCtx(ctx), input)),
  deletePrice: orgProcedure('policy.write')
    .input(ZAiPriceRef)
    .mutation(({ ctx, input }) => deleteAiPrice(verbCtx(ctx), input)),

  apiKind: orgProcedure('api.read')
    .input(ZApiBySlug)
    .query(({ ctx, input }) => getApiKind(verbCtx(ctx), input)),
  apiConfig: orgProcedure('api.read')
    .input(ZApiBySlug)
    .query(async ({ ctx, input }) => ({
      ...(await getAiApiConfig(verbCtx(ctx), input)),
      canWrite: can(ctx.role, 'policy.write'),
    })),
  setAiConfig: orgProcedure('policy.write')
    .input(ZAiConfigSet)
    .mutation(({ ctx, input }) => setAiGatewayConfig(verbCtx(ctx), input)),
  setPromptConfig: orgProcedure('policy.write')
    .input(ZAiConfigSet)
    .mutation(({ ctx, input }) => setPromptConfig(verbCtx(ctx), input)),
  promptVersions: orgProcedure('api.read')
    .input(ZPromptVersionList)
    .query(async ({ ctx, input }) => ({
      ...(await listPromptVersions(verbCtx(ctx), input)),
      canWrite: can(ctx.role, 'policy.write'),
    })),
  publishPromptVersion: orgProcedure('policy.write')
    .input(ZPromptVersionPublish)
    .mutation(({ ctx, input }) => publishPromptVersion(verbCtx(ctx), input)),
  setPromptRelease: orgProcedure('policy.write')
    .input(ZPromptReleaseSet)
    .mutation(({ ctx, input }) => setPromptRelease(verbCtx(ctx), input)),

  planLimits: orgProcedure('api.read')
    .input(ZPlanRef)
    .query(async ({ ctx, input }) => ({
      ...(await getPlanAiLimits(verbCtx(ctx), input)),
      canWrite: can(ctx.role, 'plan.write'),
    })),
  setPlanLimits: orgProcedure('plan.write')
    .input(ZPlanAiLimitsSet)
    .mutation(({ ctx, input }) => setPlanAiLimits(verbCtx(ctx), input)),

  calls: orgProcedure('analytics.read')
    .input(ZAiCallList)
    .query(({ ctx, input }) => listAiCalls(verbCtx(ctx), input)),
  callDetail: orgProcedure('analytics.read')
    .input(ZAiCallRef)
    .query(({ ctx, input }) => getAiCall(verbCtx(ctx), input)),
  callModels: orgProcedure('analytics.read').query(({ ctx }) => aiCallModels(verbCtx(ctx))),
  usageSummary: orgProcedure('analytics.read')
    .input(ZAiUsageSummary)
    .query(({ ctx, input }) => aiUsageSummary(verbCtx(ctx), input)),
});
