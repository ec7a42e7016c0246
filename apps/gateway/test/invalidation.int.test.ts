import { hashApiKey } from '@portcullis/core/keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { bearer, call, eventually, notify, startWorld, type TestWorld } from './harness.ts';

describe('gateway config invalidation', () => {
  let world: TestWorld;
  let path: string;
  let planId: string;

  beforeAll(async () => {
    // A long TTL: only the NOTIFY can explain a change seen within 1 s.
    world = await startWorld({ redis: true, configCacheTtlMs: 600_000 });
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    planId = provider.plan.id;
    path = `/${provider.org.slug}/${provider.api.slug}/x`;
  });
  afterAll(async () => {
    await world?.close();
  });

  it('refuses a revoked key within 1 s of the notification', async () => {
    const consumer = await seedConsumerWithKey(world.db, planId);
    expect((await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) })).status).toBe(200);
    await world.db.apiKey.update({ where: { id: consumer.apiKey.id }, data: { revokedAt: new Date() } });
    // Without the notification the cached key is still accepted: the cache really is in play.
    expect((await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) })).status).toBe(200);
    await notify(world.db, { kind: 'key', hash: hashApiKey(consumer.plaintext) });
    const elapsed = await eventually(async () => {
      const res = await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) });
      return res.status === 401 && res.json().code === 'key_revoked';
    }, 1_000);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('refuses a suspended subscription within 1 s, and admits it again when reactivated', async () => {
    const consumer = await seedConsumerWithKey(world.db, planId);
    expect((await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) })).status).toBe(200);
    await world.db.subscription.update({
      where: { id: consumer.subscription.id },
      data: { status: 'SUSPENDED' },
    });
    await notify(world.db, { kind: 'subscription', id: consumer.subscription.id });
    await eventually(async () => {
      const res = await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) });
      return res.status === 403 && res.json().code === 'subscription_inactive';
    }, 1_000);
    await world.db.subscription.update({
      where: { id: consumer.subscription.id },
      data: { status: 'ACTIVE' },
    });
    await notify(world.db, { kind: 'subscription', id: consumer.subscription.id });
    await eventually(
      async () =>
        (await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) })).status === 200,
      1_000,
    );
  });

  it('admits a newly approved subscription of a key that was refused before', async () => {
    const consumer = await seedConsumerWithKey(world.db, planId, 'PENDING');
    expect((await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) })).status).toBe(403);
    await world.db.subscription.update({
      where: { id: consumer.subscription.id },
      data: { status: 'ACTIVE' },
    });
    await notify(world.db, { kind: 'subscription', id: consumer.subscription.id });
    await eventually(
      async () =>
        (await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) })).status === 200,
      1_000,
    );
  });

  it('retires an API within 1 s of its notification', async () => {
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const apiPath = `/${provider.org.slug}/${provider.api.slug}/x`;
    expect((await call(world.gateway.url, apiPath, { headers: bearer(consumer.plaintext) })).status).toBe(
      200,
    );
    await world.db.api.update({ where: { id: provider.api.id }, data: { status: 'RETIRED' } });
    await notify(world.db, { kind: 'api', id: provider.api.id });
    await eventually(
      async () =>
        (await call(world.gateway.url, apiPath, { headers: bearer(consumer.plaintext) })).status === 410,
      1_000,
    );
  });

  it('applies a plan change (new rate limit) within 1 s', async () => {
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url, rateLimit: 100 });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const apiPath = `/${provider.org.slug}/${provider.api.slug}/x`;
    const first = await call(world.gateway.url, apiPath, { headers: bearer(consumer.plaintext) });
    expect(first.headers['ratelimit-policy']).toBe('"w60";q=100;w=60');
    await world.db.plan.update({ where: { id: provider.plan.id }, data: { rateLimit: 7 } });
    await notify(world.db, { kind: 'plan', id: provider.plan.id });
    await eventually(async () => {
      const res = await call(world.gateway.url, apiPath, { headers: bearer(consumer.plaintext) });
      return res.headers['ratelimit-policy'] === '"w60";q=7;w=60';
    }, 1_000);
  });
});
