import { describe, expect, it } from 'vitest';
import { alertKinds, alertSubjects } from './alert-kinds';

const options = {
  subscriptions: [{ id: 'q1', label: 'Weather · app (Pro, 1,000 requests per period)' }],
  budgetSubscriptions: [{ id: 'b1', label: 'Chat · app (AI, $50.00 per month)' }],
  apis: [{ id: 'a1', name: 'Weather' }],
};

describe('alert kinds', () => {
  it('offers only the kinds there is something to watch for', () => {
    expect(alertKinds(options).map((k) => k.value)).toEqual([
      'SUBSCRIPTION_QUOTA',
      'SUBSCRIPTION_AI_BUDGET',
      'API_REQUESTS',
    ]);
    expect(alertKinds({ ...options, subscriptions: [], apis: [] }).map((k) => k.value)).toEqual([
      'SUBSCRIPTION_AI_BUDGET',
    ]);
    expect(alertKinds({ subscriptions: [], budgetSubscriptions: [], apis: [] })).toEqual([]);
  });

  it('lists the subjects of each kind', () => {
    expect(alertSubjects('SUBSCRIPTION_QUOTA', options).map((s) => s.value)).toEqual(['q1']);
    expect(alertSubjects('SUBSCRIPTION_AI_BUDGET', options)).toEqual([
      { value: 'b1', label: 'Chat · app (AI, $50.00 per month)' },
    ]);
    expect(alertSubjects('API_REQUESTS', options)).toEqual([{ value: 'a1', label: 'Weather' }]);
  });
});
