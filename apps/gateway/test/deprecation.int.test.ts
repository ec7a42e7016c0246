import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { bearer, call, eventually, notify, startWorld, type TestWorld } from './harness.ts';

/**
 * A DEPRECATED API answers with `Deprecation` (RFC 9745, the deprecation time as `@<unix seconds>`) and
 * `Sunset` (RFC 8594, an HTTP-date) on every response once its route is resolved — admitted calls and
 * refusals alike — and a published API carries neither.
 */
describe('gateway deprecation headers', () => {
  let world: TestWorld;

  beforeAll(async () => {
    world = await startWorld({ redis: false });
  });
  afterAll(async () => {
    await world?.close();
  });

  /** Deprecates the way the portal's verb does: status + sunset, and the audit row that dates it. */
  async function deprecate(apiId: string, orgId: string, deprecatedAt: Date, sunsetAt: Date) {
    await world.db.$transaction([
      world.db.api.update({ where: { id: apiId }, data: { status: 'DEPRECATED', sunsetAt } }),
      world.db.auditLog.create({
        data: {
          orgId,
          action: 'api.deprecate',
          targetType: 'Api',
          targetId: apiId,
          at: deprecatedAt,
          after: { status: 'DEPRECATED' },
        },
      }),
    ]);
    await notify(world.db, { kind: 'api', id: apiId });
  }

  it('adds Deprecation and Sunset to admitted and refused responses of a deprecated API only', async () => {
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const path = `/${provider.org.slug}/${provider.api.slug}/forecast`;
    const before = await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) });
    expect(before.status).toBe(200);
    expect(before.headers.deprecation).toBeUndefined();
    expect(before.headers.sunset).toBeUndefined();

    const deprecatedAt = new Date('2026-01-15T12:30:45.678Z');
    const sunsetAt = new Date('2026-07-01T00:00:00.000Z');
    await deprecate(provider.api.id, provider.org.id, deprecatedAt, sunsetAt);

    await eventually(async () => {
      const res = await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) });
      return res.headers.deprecation !== undefined;
    }, 2_000);
    const ok = await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) });
    expect(ok.status).toBe(200);
    expect(ok.headers.deprecation).toBe('@1768480245');
    expect(ok.headers.sunset).toBe('Wed, 01 Jul 2026 00:00:00 GMT');
    expect(ok.json()).toMatchObject({ method: 'GET' });

    // Refusals after the route resolved carry them too: a client without a key learns about the sunset.
    const refused = await call(world.gateway.url, path);
    expect(refused.status).toBe(401);
    expect(refused.headers.deprecation).toBe('@1768480245');
    expect(refused.headers.sunset).toBe('Wed, 01 Jul 2026 00:00:00 GMT');

    // Another API on the same gateway is untouched.
    const other = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    const otherConsumer = await seedConsumerWithKey(world.db, other.plan.id);
    const plain = await call(world.gateway.url, `/${other.org.slug}/${other.api.slug}/x`, {
      headers: bearer(otherConsumer.plaintext),
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.deprecation).toBeUndefined();
    expect(plain.headers.sunset).toBeUndefined();
  });

  it('drops the headers when the API is retired (410)', async () => {
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const path = `/${provider.org.slug}/${provider.api.slug}/x`;
    await deprecate(provider.api.id, provider.org.id, new Date(), new Date(Date.now() + 86_400_000));
    await eventually(
      async () =>
        (await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) })).headers.sunset !==
        undefined,
      2_000,
    );
    await world.db.api.update({
      where: { id: provider.api.id },
      data: { status: 'RETIRED', sunsetAt: new Date() },
    });
    await notify(world.db, { kind: 'api', id: provider.api.id });
    await eventually(
      async () =>
        (await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) })).status === 410,
      2_000,
    );
    const gone = await call(world.gateway.url, path, { headers: bearer(consumer.plaintext) });
    expect(gone.json()).toMatchObject({ code: 'api_retired' });
    expect(gone.headers.deprecation).toBeUndefined();
  });
});
