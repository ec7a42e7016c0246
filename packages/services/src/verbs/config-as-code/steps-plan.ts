import { conflict } from '@portcullis/core/errors';
import type { Prisma } from '@portcullis/db';
import { setPlanAiLimits } from '../ai-api-config.ts';
import { inTransaction, notifyConfig, type OrgCtx, writeAudit } from '../context.ts';
import { archivePlan, createPlan, updatePlanLimits } from '../plan.ts';
import { type ConfigPermission, changedFields, type FieldChange, hasAny, type Step } from './change.ts';
import { type ConfigPlan, ZConfigPlan } from './schema.ts';

/** Resolved when the step that creates the API has run. */
export interface ApiRef {
  id: string;
}

const LIMIT_FIELDS = [
  'rateLimit',
  'rateLimitWindowSeconds',
  'monthlyQuota',
  'requiresApproval',
  'limits',
] as const;
/** What createPlan takes itself. */
const CREATE_FIELDS: readonly string[] = [
  'rateLimit',
  'rateLimitWindowSeconds',
  'monthlyQuota',
  'requiresApproval',
];
const FIELDS = ['description', ...LIMIT_FIELDS, 'pricing', 'aiLimits', 'archived'] as const;

function permissionsFor(fields: FieldChange[]): ConfigPermission[] {
  return hasAny(fields, ['pricing']) ? ['plan.write', 'billing.manage'] : ['plan.write'];
}

/**
 * Description and pricing have no verb in this package (pricing's lives in @portcullis/billing, which
 * depends on this one): written here with the same audit actions and gateway notification.
 */
async function setPlanFields(ctx: OrgCtx, planId: string, plan: ConfigPlan, fields: FieldChange[]) {
  await inTransaction(ctx.db, async (tx) => {
    const current = await tx.plan.findFirstOrThrow({
      where: { id: planId, api: { orgId: ctx.org.id } },
      select: { description: true, pricing: true, currency: true, archivedAt: true },
    });
    if (current.archivedAt) throw conflict('An archived plan cannot be changed');
    if (hasAny(fields, ['description'])) {
      await tx.plan.update({ where: { id: planId }, data: { description: plan.description } });
      await writeAudit(tx, ctx.actor, {
        orgId: ctx.org.id,
        action: 'plan.update',
        targetType: 'Plan',
        targetId: planId,
        before: { description: current.description },
        after: { description: plan.description },
      });
    }
    if (hasAny(fields, ['pricing'])) {
      const pricing = plan.pricing as Prisma.InputJsonObject;
      await tx.plan.update({ where: { id: planId }, data: { pricing, currency: plan.pricing.currency } });
      await writeAudit(tx, ctx.actor, {
        orgId: ctx.org.id,
        action: 'plan.setPricing',
        targetType: 'Plan',
        targetId: planId,
        before: { pricing: current.pricing as Prisma.InputJsonValue, currency: current.currency },
        after: { pricing, currency: plan.pricing.currency },
      });
      await notifyConfig(tx, { kind: 'plan', id: planId });
    }
  });
}

/** Makes one existing (or just created) plan match the document, verb by verb. */
async function updatePlan(ctx: OrgCtx, planId: string, plan: ConfigPlan, fields: FieldChange[]) {
  if (hasAny(fields, ['description', 'pricing'])) await setPlanFields(ctx, planId, plan, fields);
  if (hasAny(fields, LIMIT_FIELDS)) {
    await updatePlanLimits(ctx, {
      planId,
      rateLimit: plan.rateLimit,
      rateLimitWindowSeconds: plan.rateLimitWindowSeconds,
      monthlyQuota: plan.monthlyQuota,
      requiresApproval: plan.requiresApproval,
      limits: plan.limits,
    });
  }
  if (hasAny(fields, ['aiLimits'])) await setPlanAiLimits(ctx, { planId, limits: plan.aiLimits });
  // Last: an archived plan takes no more edits.
  if (hasAny(fields, ['archived'])) await archivePlan(ctx, { planId });
}

/** Steps that bring one API's plans in line with the document (`existing`: name → id, empty for a new API). */
export function planSteps(input: {
  api: ApiRef;
  apiSlug: string;
  path: string;
  desired: ConfigPlan[];
  current: ConfigPlan[];
  existing: Map<string, { id: string }>;
  prune: boolean;
}): Step[] {
  const steps: Step[] = [];
  const currentByName = new Map(input.current.map((p) => [p.name, p]));
  input.desired.forEach((plan, i) => {
    const path = `${input.path}.plans.${i}`;
    const name = `${input.apiSlug}/${plan.name}`;
    const found = input.existing.get(plan.name);
    const before = currentByName.get(plan.name);
    if (!found || !before) {
      const fields = changedFields(ZConfigPlan.parse({ name: plan.name }), plan, FIELDS);
      steps.push({
        path,
        change: { action: 'create', kind: 'plan', name, fields, permissions: permissionsFor(fields) },
        run: async (ctx) => {
          const created = await createPlan(ctx, {
            apiId: input.api.id,
            name: plan.name,
            rateLimit: plan.rateLimit,
            rateLimitWindowSeconds: plan.rateLimitWindowSeconds,
            monthlyQuota: plan.monthlyQuota,
            requiresApproval: plan.requiresApproval,
          });
          const rest = fields.filter((f) => !CREATE_FIELDS.includes(f.field));
          await updatePlan(ctx, created.id, plan, rest);
        },
      });
      return;
    }
    const fields = changedFields(before, plan, FIELDS);
    if (fields.length === 0) return;
    if (before.archived && !plan.archived) {
      throw conflict(`Plan "${name}" is archived and cannot be restored`, {
        [`${path}.archived`]: 'An archived plan cannot be restored; add a new plan instead',
      });
    }
    steps.push({
      path,
      change: { action: 'update', kind: 'plan', name, fields, permissions: permissionsFor(fields) },
      run: (ctx) => updatePlan(ctx, found.id, plan, fields),
    });
  });
  if (input.prune) {
    const wanted = new Set(input.desired.map((p) => p.name));
    for (const plan of input.current) {
      const found = input.existing.get(plan.name);
      if (wanted.has(plan.name) || plan.archived || !found) continue;
      steps.push({
        path: input.path,
        change: {
          action: 'archive',
          kind: 'plan',
          name: `${input.apiSlug}/${plan.name}`,
          fields: [{ field: 'archived', before: false, after: true }],
          permissions: ['plan.write'],
        },
        run: async (ctx) => {
          await archivePlan(ctx, { planId: found.id });
        },
      });
    }
  }
  return steps;
}
