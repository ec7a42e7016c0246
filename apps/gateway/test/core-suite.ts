import { connect } from 'node:net';
import { generateApiKey } from '@portcullis/core/keys';
import { billingPeriod } from '@portcullis/core/periods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi, uniq } from '../../../test/fixtures.ts';
import { bearer, call, startWorld, type TestWorld } from './harness.ts';

function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  const body = res.json();
  expect(body).toMatchObject({ status, code });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(body.requestId).toBe(res.headers['x-request-id']);
  expect(res.text).not.toMatch(/\n\s+at /); // no stack trace
}

/** The gateway's core behaviour; run once with Redis counters and once with in-memory counters. */
export function coreGatewaySuite(name: string, redis: boolean): void {
  describe(`gateway core (${name} counters)`, () => {
    let world: TestWorld;
    let base: string;
    let apiPath: string;
    let key: string;
    let planId: string;

    beforeAll(async () => {
      world = await startWorld({ redis });
      base = world.gateway.url;
      const provider = await seedProviderWithApi(world.db, {
        upstreamUrl: `${world.upstream.url}/base/`,
        rateLimit: 1000,
      });
      planId = provider.plan.id;
      apiPath = `/${provider.org.slug}/${provider.api.slug}`;
      key = (await seedConsumerWithKey(world.db, planId)).plaintext;
    });
    afterAll(async () => {
      await world?.close();
    });

    it('uses the expected counter store', () => {
      expect(world.gateway.limitStore).toBe(redis ? 'redis' : 'memory');
    });

    it('proxies method, path, query and body, and returns the upstream response', async () => {
      const res = await call(base, `${apiPath}/v1/items?color=red&size=2`, {
        method: 'POST',
        headers: { ...bearer(key), 'content-type': 'text/plain', 'x-custom': 'kept' },
        body: 'hello upstream',
      });
      expect(res.status).toBe(200);
      expect(res.headers['x-upstream']).toBe('yes');
      expect(res.json()).toEqual({
        method: 'POST',
        url: '/base/v1/items?color=red&size=2',
        bodyBytes: 14,
        body: 'hello upstream',
      });
      const seen = world.upstream.seen.at(-1);
      expect(seen?.headers['x-custom']).toBe('kept');
    });

    it('never shows the consumer key to the upstream, and forwards request id and client info', async () => {
      const res = await call(base, `${apiPath}/whoami`, {
        headers: { ...bearer(key), 'x-api-key': key, 'x-request-id': 'client-chosen-id-1' },
      });
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBe('client-chosen-id-1');
      const seen = world.upstream.seen.at(-1);
      expect(seen?.url).toBe('/base/whoami');
      expect(seen?.headers.authorization).toBeUndefined();
      expect(seen?.headers['x-api-key']).toBeUndefined();
      expect(seen?.headers['x-request-id']).toBe('client-chosen-id-1');
      expect(seen?.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(seen?.headers['x-forwarded-proto']).toBe('http');
      expect(seen?.headers['x-forwarded-host']).toBe(new URL(base).host);
    });

    it('accepts the key in x-api-key and sets rate-limit and quota headers on success', async () => {
      const res = await call(base, `${apiPath}/ok`, { headers: { 'x-api-key': key } });
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['ratelimit-policy']).toBe('"w60";q=1000;w=60');
      expect(res.headers.ratelimit).toMatch(/^"w60";r=\d+;t=\d+$/);
      expect(res.headers['x-quota-limit']).toBe('1000');
      expect(Number(res.headers['x-quota-remaining'])).toBeLessThan(1000);
    });

    it('answers 401 for a missing, malformed, unknown, revoked or expired key', async () => {
      expectProblem(await call(base, `${apiPath}/x`), 401, 'key_missing');
      expectProblem(await call(base, `${apiPath}/x`, { headers: bearer('not-a-key') }), 401, 'key_invalid');
      expectProblem(
        await call(base, `${apiPath}/x`, { headers: bearer(generateApiKey().plaintext) }),
        401,
        'key_invalid',
      );

      const revoked = await seedConsumerWithKey(world.db, planId);
      await world.db.apiKey.update({ where: { id: revoked.apiKey.id }, data: { revokedAt: new Date() } });
      expectProblem(
        await call(base, `${apiPath}/x`, { headers: bearer(revoked.plaintext) }),
        401,
        'key_revoked',
      );

      const expired = await seedConsumerWithKey(world.db, planId);
      await world.db.apiKey.update({
        where: { id: expired.apiKey.id },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      expectProblem(
        await call(base, `${apiPath}/x`, { headers: bearer(expired.plaintext) }),
        401,
        'key_expired',
      );
      const upstreamCalls = world.upstream.seen.filter((s) => s.url === '/base/x');
      expect(upstreamCalls).toHaveLength(0);
    });

    it('answers 403 for pending or suspended subscriptions and for no subscription', async () => {
      const pending = await seedConsumerWithKey(world.db, planId, 'PENDING');
      const res = await call(base, `${apiPath}/x`, { headers: bearer(pending.plaintext) });
      expectProblem(res, 403, 'subscription_inactive');
      expect(res.json().detail).toContain('PENDING');

      const suspended = await seedConsumerWithKey(world.db, planId, 'SUSPENDED');
      const res2 = await call(base, `${apiPath}/x`, { headers: bearer(suspended.plaintext) });
      expectProblem(res2, 403, 'subscription_inactive');
      expect(res2.json().detail).toContain('SUSPENDED');

      // A valid key whose app is subscribed to a different API only.
      const other = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
      const elsewhere = await seedConsumerWithKey(world.db, other.plan.id);
      expectProblem(
        await call(base, `${apiPath}/x`, { headers: bearer(elsewhere.plaintext) }),
        403,
        'no_subscription',
      );
    });

    it('answers 404 for unknown, draft and malformed routes and 410 for retired APIs', async () => {
      expectProblem(
        await call(base, `/${uniq('nope')}/nothing/x`, { headers: bearer(key) }),
        404,
        'route_not_found',
      );
      expectProblem(await call(base, '/just-one-segment'), 404, 'route_not_found');
      expectProblem(
        await call(base, `${apiPath}/a/%2e%2e/%2e%2e/etc`, { headers: bearer(key) }),
        404,
        'route_not_found',
      );

      const draft = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
      await world.db.api.update({ where: { id: draft.api.id }, data: { status: 'DRAFT' } });
      const draftKey = await seedConsumerWithKey(world.db, draft.plan.id);
      expectProblem(
        await call(base, `/${draft.org.slug}/${draft.api.slug}/x`, { headers: bearer(draftKey.plaintext) }),
        404,
        'route_not_found',
      );

      const retired = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
      await world.db.api.update({ where: { id: retired.api.id }, data: { status: 'RETIRED' } });
      expectProblem(await call(base, `/${retired.org.slug}/${retired.api.slug}/x`), 410, 'api_retired');

      const deprecated = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
      await world.db.api.update({ where: { id: deprecated.api.id }, data: { status: 'DEPRECATED' } });
      const depKey = await seedConsumerWithKey(world.db, deprecated.plan.id);
      const ok = await call(base, `/${deprecated.org.slug}/${deprecated.api.slug}/x`, {
        headers: bearer(depKey.plaintext),
      });
      expect(ok.status).toBe(200);
    });

    it('rate-limits with 429 rate_limited, Retry-After and RateLimit headers', async () => {
      const limited = await seedProviderWithApi(world.db, {
        upstreamUrl: world.upstream.url,
        rateLimit: 3,
        rateLimitWindowSeconds: 3600,
        monthlyQuota: 100,
      });
      const consumer = await seedConsumerWithKey(world.db, limited.plan.id);
      const path = `/${limited.org.slug}/${limited.api.slug}/r`;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await call(base, path, { headers: bearer(consumer.plaintext) })).status);
      expect(statuses).toEqual([200, 200, 200]);
      const denied = await call(base, path, { headers: bearer(consumer.plaintext) });
      expectProblem(denied, 429, 'rate_limited');
      const retryAfter = Number(denied.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      // GCRA: 3 per hour refills one request every 20 minutes.
      expect(retryAfter).toBeLessThanOrEqual(1200);
      expect(denied.headers['ratelimit-policy']).toBe('"w3600";q=3;w=3600');
      // t: seconds until the window is fully replenished.
      const t = Number(/^"w3600";r=0;t=(\d+)$/.exec(String(denied.headers.ratelimit))?.[1]);
      expect(t).toBeGreaterThan(3500);
      expect(t).toBeLessThanOrEqual(3600);
      // The denial consumed no quota: 3 of 100 used.
      expect(denied.headers['x-quota-remaining']).toBe('97');
    });

    it('enforces the monthly quota with a distinct 429 quota_exceeded', async () => {
      const quota = await seedProviderWithApi(world.db, {
        upstreamUrl: world.upstream.url,
        rateLimit: 100,
        monthlyQuota: 2,
      });
      const consumer = await seedConsumerWithKey(world.db, quota.plan.id);
      const path = `/${quota.org.slug}/${quota.api.slug}/q`;
      expect((await call(base, path, { headers: bearer(consumer.plaintext) })).status).toBe(200);
      const second = await call(base, path, { headers: bearer(consumer.plaintext) });
      expect(second.status).toBe(200);
      expect(second.headers['x-quota-remaining']).toBe('0');
      const denied = await call(base, path, { headers: bearer(consumer.plaintext) });
      expectProblem(denied, 429, 'quota_exceeded');
      // The quota period is anchored to the subscription's period start (monthly anniversaries).
      const { end } = billingPeriod(consumer.subscription.currentPeriodStart, new Date());
      const expected = Math.ceil((end.getTime() - Date.now()) / 1000);
      expect(Math.abs(Number(denied.headers['retry-after']) - expected)).toBeLessThanOrEqual(5);
      expect(Math.abs(Number(denied.headers['x-quota-reset']) - expected)).toBeLessThanOrEqual(5);
      expect(denied.headers['x-quota-limit']).toBe('2');
    });

    it('answers 502 for a dead upstream and 504 for a slow one', async () => {
      const dead = await seedProviderWithApi(world.db, { upstreamUrl: 'http://127.0.0.1:1/base' });
      const consumer = await seedConsumerWithKey(world.db, dead.plan.id);
      expectProblem(
        await call(base, `/${dead.org.slug}/${dead.api.slug}/x`, { headers: bearer(consumer.plaintext) }),
        502,
        'upstream_unreachable',
      );
      const slow = await call(base, `${apiPath}/slow`, { headers: bearer(key) });
      expectProblem(slow, 504, 'upstream_timeout');
    });

    it('answers malformed HTTP with a 400 problem+json', async () => {
      const { port } = new URL(base);
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
        let text = '';
        socket.on('data', (chunk) => {
          text += chunk.toString();
        });
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
      expect(raw).toContain('content-type: application/problem+json');
      const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 400, code: 'bad_request' });
    });

    it('answers 502 when the API has an unusable upstream URL', async () => {
      const broken = await seedProviderWithApi(world.db, { upstreamUrl: 'not a url' });
      const consumer = await seedConsumerWithKey(world.db, broken.plan.id);
      expectProblem(
        await call(base, `/${broken.org.slug}/${broken.api.slug}/x`, { headers: bearer(consumer.plaintext) }),
        502,
        'upstream_unreachable',
      );
    });

    it('serves /healthz and /readyz outside the API namespace', async () => {
      const health = await call(base, '/healthz');
      expect(health.status).toBe(200);
      expect(health.json()).toEqual({ status: 'ok' });
      const ready = await call(base, '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready' });
    });
  });
}
