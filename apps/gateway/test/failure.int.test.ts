import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { bearer, call, startWorld, type TestWorld } from './harness.ts';

describe('gateway with its counter store down', () => {
  let world: TestWorld;

  beforeAll(async () => {
    // Nothing listens on port 1: every limiter call fails.
    world = await startWorld({ redis: false, redisUrl: 'redis://127.0.0.1:1' });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('fails closed with 503 limiter_unavailable and never reaches the upstream', async () => {
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    // The default redisFailureMode is 'local'; this API opts into failing closed.
    await world.db.api.update({
      where: { id: provider.api.id },
      data: { policies: { redisFailureMode: 'deny' } },
    });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const res = await call(world.gateway.url, `/${provider.org.slug}/${provider.api.slug}/x`, {
      headers: bearer(consumer.plaintext),
    });
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ code: 'limiter_unavailable', status: 503 });
    expect(world.upstream.seen).toHaveLength(0);
    // Still alive and ready (Postgres is fine).
    expect((await call(world.gateway.url, '/readyz')).status).toBe(200);
  });
});
