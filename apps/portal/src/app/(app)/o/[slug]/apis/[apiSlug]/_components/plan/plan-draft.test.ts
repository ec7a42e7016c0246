import { describe, expect, it } from 'vitest';
import { parseDraft } from '../../../../../../../../components/forms/draft-text';
import { NEW_PLAN, toPlanLimitsDraft, ZPlanCreateForm, ZPlanLimitsForm } from './plan-draft';

const plan = {
  rateLimit: 100,
  rateLimitWindowSeconds: 60,
  monthlyQuota: 10_000,
  requiresApproval: false,
  limits: [
    { limit: 500, windowSeconds: 3600, scope: 'app' },
    { limit: 5, windowSeconds: 1, scope: 'ip' },
  ],
};

describe('plan limits draft', () => {
  it('round-trips a plan through the form unchanged', () => {
    expect(parseDraft(ZPlanLimitsForm, toPlanLimitsDraft(plan))).toEqual({ ok: true, input: plan });
  });

  it('keeps unlimited (null) limits empty, both ways', () => {
    const unlimited = { ...plan, rateLimit: null, monthlyQuota: null, limits: [] };
    const draft = toPlanLimitsDraft({ ...unlimited, limits: null });
    expect(draft.rateLimit).toBe('');
    expect(draft.monthlyQuota).toBe('');
    expect(parseDraft(ZPlanLimitsForm, draft)).toEqual({ ok: true, input: unlimited });
  });

  it('gives invalid numbers field errors, and range errors by row', () => {
    const draft = toPlanLimitsDraft(plan);
    draft.rateLimitWindowSeconds = '';
    draft.monthlyQuota = 'many';
    expect(parseDraft(ZPlanLimitsForm, draft)).toEqual({
      ok: false,
      errors: { rateLimitWindowSeconds: 'Enter a number', monthlyQuota: 'Enter a number' },
    });
    const zero = toPlanLimitsDraft(plan);
    zero.limits[1] = { limit: '0', windowSeconds: '1.5', scope: 'ip' };
    const result = parseDraft(ZPlanLimitsForm, zero);
    expect(result.ok ? [] : Object.keys(result.errors).sort()).toEqual([
      'limits.1.limit',
      'limits.1.windowSeconds',
    ]);
  });
});

describe('new plan draft', () => {
  it('sends a named plan with unlimited defaults', () => {
    expect(parseDraft(ZPlanCreateForm, { ...NEW_PLAN, name: ' Gold ' })).toEqual({
      ok: true,
      input: {
        name: 'Gold',
        rateLimit: null,
        rateLimitWindowSeconds: 60,
        monthlyQuota: null,
        requiresApproval: true,
      },
    });
  });

  it('names what is missing or wrong', () => {
    const result = parseDraft(ZPlanCreateForm, { ...NEW_PLAN, rateLimit: '-1', rateLimitWindowSeconds: 'x' });
    expect(result).toEqual({
      ok: false,
      errors: { rateLimitWindowSeconds: 'Enter a number' },
    });
    const second = parseDraft(ZPlanCreateForm, { ...NEW_PLAN, rateLimit: '-1' });
    expect(second).toEqual({
      ok: false,
      errors: { name: 'Name is required', rateLimit: 'Must be greater than 0' },
    });
  });
});
