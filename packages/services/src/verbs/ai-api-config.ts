import {
  type AiGatewayConfig,
  type ModelRoute,
  type PromptConfig,
  parseAiLimits,
  ZAiGatewayConfig,
  ZAiGatewayConfigSave,
  ZAiLimits,
  ZPromptConfig,
  ZPromptConfigSave,
} from '@portcullis/core/ai-config';
import type { GuardrailRule } from '@portcullis/core/ai-guardrails';
import { badRequest, notFound } from '@portcullis/core/errors';
import { assertDocumentShape } from '@portcullis/core/json-depth';
import { ZId } from '@portcullis/core/schemas';
import type { Prisma, Tx } from '@portcullis/db';
import { z } from 'zod';
import { credentialLock } from './ai-credentials.ts';
import { promptOpenApiDocument } from './ai-prompt-openapi.ts';
import { parseOrBadRequest } from './ai-shared.ts';
import { inTransaction, lockKey, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

/**
 * Api.ai of an AI API (model routes + logging) or a PROMPT API (the prompt), and Plan.aiLimits. The
 * documents are validated with the shared schemas the gateway loads them with; route targets may only
 * name the org's own provider credentials.
 */

export const ZAiConfigSet = z.object({ apiId: ZId, config: z.unknown() });
export const ZPlanAiLimitsSet = z.object({ planId: ZId, limits: z.unknown() });

type ApiKindName = 'REST' | 'AI' | 'PROMPT' | 'MCP';

/** The stored document as the editor should start from it (a broken one is shown as empty). */
function storedConfig(kind: ApiKindName, ai: unknown): AiGatewayConfig | PromptConfig | null {
  if (kind === 'AI') {
    const parsed = ZAiGatewayConfig.safeParse(ai ?? {});
    return parsed.success ? parsed.data : ZAiGatewayConfig.parse({});
  }
  if (kind === 'PROMPT') {
    const parsed = ZPromptConfig.safeParse(ai);
    return parsed.success ? parsed.data : null;
  }
  return null;
}

export async function getApiKind(ctx: OrgCtx, input: { apiSlug: string }) {
  const api = await ctx.db.api.findFirst({
    where: { orgId: ctx.org.id, slug: input.apiSlug },
    select: { id: true, kind: true },
  });
  if (!api) throw notFound('API');
  return api;
}

/** The editor's data: the API, its parsed document, and the org's credentials to pick from (no secrets). */
export async function getAiApiConfig(ctx: OrgCtx, input: { apiSlug: string }) {
  const api = await ctx.db.api.findFirst({
    where: { orgId: ctx.org.id, slug: input.apiSlug },
    select: { id: true, slug: true, name: true, kind: true, ai: true, updatedAt: true },
  });
  if (!api) throw notFound('API');
  const credentials = await ctx.db.providerCredential.findMany({
    where: { orgId: ctx.org.id },
    select: { id: true, name: true, provider: true },
    orderBy: { name: 'asc' },
  });
  const { ai, ...rest } = api;
  return { ...rest, config: storedConfig(api.kind, ai), credentials };
}

/**
 * Every target, and every moderation guardrail, must name one of the org's credentials; fields point at
 * the offending selects.
 */
async function checkTargets(
  tx: Tx,
  orgId: string,
  routes: ModelRoute[],
  guardrails: readonly GuardrailRule[],
): Promise<void> {
  const owned = new Set(
    (await tx.providerCredential.findMany({ where: { orgId }, select: { id: true } })).map((c) => c.id),
  );
  const fields: Record<string, string> = {};
  routes.forEach((route, i) => {
    route.targets.forEach((target, j) => {
      if (!owned.has(target.credentialId)) {
        fields[`routes.${i}.targets.${j}.credentialId`] =
          'Choose one of this organization’s provider credentials';
      }
    });
  });
  const checkRules = (rules: readonly GuardrailRule[], base: string) => {
    rules.forEach((rule, k) => {
      if (rule.type === 'moderation' && !owned.has(rule.credentialId)) {
        fields[`${base}.${k}.credentialId`] = 'Choose one of this organization’s provider credentials';
      }
    });
  };
  checkRules(guardrails, 'guardrails');
  for (const [i, route] of routes.entries()) checkRules(route.guardrails ?? [], `routes.${i}.guardrails`);
  if (Object.keys(fields).length > 0) {
    throw badRequest('A route names a provider credential this organization does not have', fields);
  }
}

async function loadApi(tx: Tx, ctx: OrgCtx, apiId: string, kind: 'AI' | 'PROMPT') {
  const api = await tx.api.findFirst({
    where: { id: apiId, orgId: ctx.org.id },
    select: {
      id: true,
      kind: true,
      name: true,
      description: true,
      version: true,
      ai: true,
      openapiSpec: true,
      promptRelease: true,
    },
  });
  if (!api) throw notFound('API');
  if (api.kind !== kind) {
    throw badRequest(
      kind === 'AI'
        ? 'Model routes belong to AI gateway APIs; this API is not one'
        : 'A prompt belongs to prompt APIs; this API is not one',
    );
  }
  return api;
}

export async function setAiGatewayConfig(ctx: OrgCtx, input: { apiId: string; config: unknown }) {
  assertDocumentShape(input.config, 'config');
  const config = parseOrBadRequest(ZAiGatewayConfigSave, input.config, 'Some route fields are not valid');
  return inTransaction(ctx.db, async (tx) => {
    await lockKey(tx, credentialLock(ctx.org.id));
    const api = await loadApi(tx, ctx, input.apiId, 'AI');
    await checkTargets(tx, ctx.org.id, config.routes, config.guardrails);
    const updated = await tx.api.update({
      where: { id: api.id },
      data: { ai: config as Prisma.InputJsonObject },
      select: { id: true, ai: true, updatedAt: true },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.updateAiConfig',
      targetType: 'Api',
      targetId: api.id,
      before: api.ai as Prisma.InputJsonValue,
      after: config as Prisma.InputJsonObject,
    });
    await notifyConfig(tx, { kind: 'api', id: api.id });
    return { id: updated.id, updatedAt: updated.updatedAt, config };
  });
}

/**
 * A prompt as the gateway may run it (the portal's save rules, credentials of this org), for a version
 * created with its own prompt rather than from the working copy. Field errors name paths in the prompt.
 */
export async function checkedPrompt(tx: Tx, orgId: string, config: unknown) {
  assertDocumentShape(config, '');
  const prompt = parseOrBadRequest(ZPromptConfigSave, config, 'Some prompt fields are not valid');
  await lockKey(tx, credentialLock(orgId));
  await checkTargets(tx, orgId, prompt.routes, prompt.guardrails);
  return prompt;
}

/**
 * Saves the prompt (the working copy) and, while no version is released, regenerates the API's OpenAPI
 * document from its input/output schemas; with a release the document follows the released version
 * (setPromptRelease), since that is what callers reach.
 */
export async function setPromptConfig(ctx: OrgCtx, input: { apiId: string; config: unknown }) {
  assertDocumentShape(input.config, 'config');
  const prompt = parseOrBadRequest(ZPromptConfigSave, input.config, 'Some prompt fields are not valid');
  return inTransaction(ctx.db, async (tx) => {
    await lockKey(tx, credentialLock(ctx.org.id));
    const api = await loadApi(tx, ctx, input.apiId, 'PROMPT');
    await checkTargets(tx, ctx.org.id, prompt.routes, prompt.guardrails);
    const released = api.promptRelease !== null;
    const openapiSpec = released ? api.openapiSpec : promptOpenApiDocument(api, prompt);
    const updated = await tx.api.update({
      where: { id: api.id },
      data: {
        ai: prompt as Prisma.InputJsonObject,
        ...(released ? {} : { openapiSpec: openapiSpec as Prisma.InputJsonObject }),
      },
      select: { id: true, updatedAt: true },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'api.updatePrompt',
      targetType: 'Api',
      targetId: api.id,
      before: api.ai as Prisma.InputJsonValue,
      after: prompt as Prisma.InputJsonObject,
    });
    await notifyConfig(tx, { kind: 'api', id: api.id });
    return { id: updated.id, updatedAt: updated.updatedAt, config: prompt, openapiSpec };
  });
}

async function findPlan(db: OrgCtx['db'], orgId: string, planId: string) {
  const plan = await db.plan.findFirst({
    where: { id: planId, api: { orgId } },
    select: { id: true, name: true, aiLimits: true, api: { select: { kind: true } } },
  });
  if (!plan) throw notFound('Plan');
  return plan;
}

export async function getPlanAiLimits(ctx: OrgCtx, input: { planId: string }) {
  const plan = await findPlan(ctx.db, ctx.org.id, input.planId);
  return { planId: plan.id, apiKind: plan.api.kind, limits: parseAiLimits(plan.aiLimits) };
}

export async function setPlanAiLimits(ctx: OrgCtx, input: { planId: string; limits: unknown }) {
  assertDocumentShape(input.limits, 'limits');
  const limits = parseOrBadRequest(ZAiLimits, input.limits, 'Some AI limits are not valid');
  return inTransaction(ctx.db, async (tx) => {
    const plan = await findPlan(tx, ctx.org.id, input.planId);
    await tx.plan.update({ where: { id: plan.id }, data: { aiLimits: limits } });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'plan.updateAiLimits',
      targetType: 'Plan',
      targetId: plan.id,
      before: plan.aiLimits as Prisma.InputJsonValue,
      after: limits,
    });
    await notifyConfig(tx, { kind: 'plan', id: plan.id });
    return { planId: plan.id, apiKind: plan.api.kind, limits };
  });
}
