import { getPlanPricing, setPlanPricing } from '@portcullis/billing/pricing-verbs';
import { ZPlanPricing } from '@portcullis/core/billing/pricing';
import { ZPlanCreate, ZPlanUpdate } from '@portcullis/core/schemas';
import { archivePlan, createPlan, listPlans, updatePlanLimits } from '@portcullis/services/verbs/plan';
import { z } from 'zod';
import { endpoint, out, verbCtxOf } from './endpoint';

const ZId = z.string().min(1).max(64);
const ZPlanParams = z.object({ planId: ZId });

const ZPlanOut = out({
  id: z.string(),
  apiId: z.string(),
  name: z.string(),
  rateLimit: z.number().nullable(),
  monthlyQuota: z.number().nullable(),
  requiresApproval: z.boolean(),
});

export const PLAN_ENDPOINTS = [
  endpoint({
    id: 'plans.list',
    method: 'GET',
    path: '/apis/{apiId}/plans',
    summary: "List an API's plans",
    scope: 'plans:read',
    permission: 'api.read',
    params: z.object({ apiId: ZId }),
    output: z.array(ZPlanOut),
    handler: (ctx, input) => listPlans(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'plans.create',
    method: 'POST',
    path: '/apis/{apiId}/plans',
    summary: 'Add a plan to an API',
    scope: 'plans:write',
    permission: 'plan.write',
    params: z.object({ apiId: ZId }),
    body: ZPlanCreate.omit({ apiId: true }),
    output: ZPlanOut,
    status: 201,
    handler: (ctx, input) => createPlan(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'plans.update',
    method: 'PUT',
    path: '/plans/{planId}',
    summary: "Replace a plan's limits, quota and approval rule",
    scope: 'plans:write',
    permission: 'plan.write',
    params: ZPlanParams,
    body: ZPlanUpdate.omit({ planId: true }),
    output: ZPlanOut,
    handler: (ctx, input) => updatePlanLimits(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'plans.archive',
    method: 'POST',
    path: '/plans/{planId}/archive',
    summary: 'Archive a plan: no new subscriptions',
    scope: 'plans:write',
    permission: 'plan.write',
    params: ZPlanParams,
    output: out({ id: z.string(), archived: z.literal(true) }),
    handler: (ctx, input) => archivePlan(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'plans.getPricing',
    method: 'GET',
    path: '/plans/{planId}/pricing',
    summary: "A plan's prices (amounts in minor units)",
    scope: 'plans:read',
    permission: 'billing.read',
    params: ZPlanParams,
    output: z.looseObject({}),
    handler: (ctx, input) => getPlanPricing(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'plans.setPricing',
    method: 'PUT',
    path: '/plans/{planId}/pricing',
    summary: "Set a plan's prices",
    scope: 'plans:write',
    permission: 'billing.manage',
    params: ZPlanParams,
    body: z.object({ pricing: ZPlanPricing }),
    output: z.looseObject({}),
    handler: (ctx, input) => setPlanPricing(verbCtxOf(ctx), input),
  }),
];
