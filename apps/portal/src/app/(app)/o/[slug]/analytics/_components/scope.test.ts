import { describe, expect, it } from 'vitest';
import { pickApi, pickSide, scopeSides, subscriptionLabel, topRows } from './scope';

const sub = {
  id: 's1',
  api: { id: 'a1', name: 'Pulse' },
  app: { name: 'Dashboard', orgName: 'Cory Labs' },
  plan: { name: 'Starter', monthlyQuota: 1000 },
};

describe('sides', () => {
  it('lists the sides the org has, provider first', () => {
    expect(scopeSides({ provider: {}, consumer: {} })).toEqual(['provider', 'consumer']);
    expect(scopeSides({ provider: null, consumer: {} })).toEqual(['consumer']);
    expect(scopeSides({ provider: null, consumer: null })).toEqual([]);
  });

  it('keeps the chosen side only while the org has it', () => {
    expect(pickSide(['provider', 'consumer'], 'consumer')).toBe('consumer');
    expect(pickSide(['provider'], 'consumer')).toBe('provider');
    expect(pickSide(['consumer'], null)).toBe('consumer');
    expect(pickSide([], null)).toBeUndefined();
  });
});

describe('pickApi', () => {
  it('falls back to all APIs when the side has no such API', () => {
    const scope = { apis: [{ id: 'a1', name: 'Pulse' }], subscriptions: [] };
    expect(pickApi(scope, 'a1')).toBe('a1');
    expect(pickApi(scope, 'gone')).toBe('');
  });
});

describe('subscriptionLabel', () => {
  it('names the consumer org on the provider side only', () => {
    expect(subscriptionLabel(sub, 'provider')).toBe('Pulse · Cory Labs / Dashboard (Starter)');
    expect(subscriptionLabel(sub, 'consumer')).toBe('Pulse · Dashboard (Starter)');
  });
});

describe('topRows', () => {
  it('maps consumer orgs and APIs to one row shape', () => {
    expect(
      topRows({
        consumers: [{ orgId: 'o1', name: 'Cory Labs', requests: 5, errors: 1 }],
        apis: [],
      }),
    ).toEqual([{ id: 'o1', name: 'Cory Labs', href: null, provider: null, requests: 5, errors: 1 }]);
    expect(
      topRows({
        consumers: [],
        apis: [
          {
            apiId: 'a1',
            slug: 'pulse',
            name: 'Pulse',
            providerOrg: { slug: 'signal', name: 'Signal Co' },
            requests: 7,
            errors: 0,
          },
        ],
      }),
    ).toEqual([
      {
        id: 'a1',
        name: 'Pulse',
        href: '/catalog/signal/pulse',
        provider: 'Signal Co',
        requests: 7,
        errors: 0,
      },
    ]);
  });
});
