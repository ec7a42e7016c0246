import { type LimitScope, parsePlanLimits } from '@portcullis/core/policies';
import { ZPlanCreate, ZPlanUpdate } from '@portcullis/core/schemas';
import { z } from 'zod';
import {
  draftSchema,
  numberText,
  zNullableNumberText,
  zNumberText,
} from '../../../../../../../../components/forms/draft-text';

/** The plan forms' drafts (numbers as typed; empty = unlimited) to and from a plan's limits. */

export interface PlanLimitsSource {
  rateLimit: number | null;
  rateLimitWindowSeconds: number;
  monthlyQuota: number | null;
  requiresApproval: boolean;
  /** Plan.limits as stored (extra windows) */
  limits: unknown;
}

export interface WindowDraft {
  limit: string;
  windowSeconds: string;
  scope: LimitScope;
}

export interface PlanLimitsDraft {
  rateLimit: string;
  rateLimitWindowSeconds: string;
  monthlyQuota: string;
  requiresApproval: boolean;
  limits: WindowDraft[];
}

export function toPlanLimitsDraft(plan: PlanLimitsSource): PlanLimitsDraft {
  return {
    rateLimit: numberText(plan.rateLimit),
    rateLimitWindowSeconds: String(plan.rateLimitWindowSeconds),
    monthlyQuota: numberText(plan.monthlyQuota),
    requiresApproval: plan.requiresApproval,
    limits: parsePlanLimits(plan.limits).map((w) => ({
      limit: String(w.limit),
      windowSeconds: String(w.windowSeconds),
      scope: w.scope,
    })),
  };
}

export const NEW_WINDOW: WindowDraft = { limit: '', windowSeconds: '3600', scope: 'subscription' };

const ZLimitFields = {
  rateLimit: zNullableNumberText,
  rateLimitWindowSeconds: zNumberText,
  monthlyQuota: zNullableNumberText,
  requiresApproval: z.boolean(),
};

/** Draft → the `policy.updatePlan` input (without org and plan), checked by the server's schema. */
export const ZPlanLimitsForm = draftSchema(
  z.object({
    ...ZLimitFields,
    limits: z.array(
      z.object({
        limit: zNumberText,
        windowSeconds: zNumberText,
        scope: z.enum(['key', 'app', 'subscription', 'ip']),
      }),
    ),
  }),
  ZPlanUpdate.omit({ planId: true }),
);

export type PlanCreateDraft = Omit<PlanLimitsDraft, 'limits'> & { name: string };

export const NEW_PLAN: PlanCreateDraft = {
  name: '',
  rateLimit: '',
  rateLimitWindowSeconds: '60',
  monthlyQuota: '',
  requiresApproval: true,
};

/** Draft → the `plan.create` input (without org and API), checked by the server's schema. */
export const ZPlanCreateForm = draftSchema(
  z.object({ name: z.string(), ...ZLimitFields }),
  ZPlanCreate.omit({ apiId: true }),
);
