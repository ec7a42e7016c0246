import { DomainError } from '@portcullis/core/errors';
import { createApi, updateApiUpstream } from '@portcullis/services/verbs/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowUpstreamHosts, seedOrg, seedUser, uniq } from '../../../test/fixtures.ts';
import { call, eventually, startWorld, type TestWorld } from './harness.ts';
import { seedRoute, startServer, type TestServer } from './upstream-servers.ts';

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('SSRF guard', () => {
  let world: TestWorld;
  let upstream: TestServer;

  beforeAll(async () => {
    world = await startWorld({ redis: false });
    upstream = await startServer('internal');
  });
  afterAll(async () => {
    await upstream?.close();
    await world?.close();
  });

  it('refuses metadata, private and loopback upstreams when an API is saved, as a field error', async () => {
    const user = await seedUser(world.db);
    const org = await seedOrg(world.db, user.id);
    const ctx = { db: world.db, actor: { id: user.id }, org: { id: org.id } };
    const input = (upstreamUrl: string) => ({
      name: 'Internal',
      slug: uniq('ssrf'),
      upstreamUrl,
      visibility: 'PUBLIC' as const,
      description: '',
    });

    const metadata = await refusal(createApi(ctx, input('http://169.254.169.254/latest/meta-data/')));
    expect(metadata.code).toBe('BAD_REQUEST');
    expect(metadata.fields?.upstreamUrl).toMatch(/169\.254\.169\.254.*link-local/);
    for (const url of [
      'http://[::ffff:169.254.169.254]/',
      'http://2852039166/', // 169.254.169.254 as one number
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://10.1.2.3/',
      'http://0x7f000002:8080/', // 127.0.0.2 (127.0.0.1 itself is allow-listed for the test upstreams)
      'http://0177.0.0.3/',
      'http://user:pass@api.example.com/',
    ]) {
      expect((await refusal(createApi(ctx, input(url)))).fields?.upstreamUrl, url).toEqual(
        expect.any(String),
      );
    }
    expect(await world.db.api.count({ where: { orgId: org.id } })).toBe(0);

    // A public name (unresolvable here) saves; moving it to a name that resolves to loopback does not.
    const api = await createApi(ctx, input('https://api.example.com/v1'));
    const moved = await refusal(
      updateApiUpstream(ctx, { apiId: api.id, upstreamUrl: `http://localhost:${upstream.port}` }),
    );
    expect(moved.fields?.upstreamUrl).toMatch(/localhost/);
    expect((await world.db.api.findUniqueOrThrow({ where: { id: api.id } })).upstreamUrl).toBe(
      'https://api.example.com/v1',
    );
  });

  it('refuses at connect time a host that resolves to loopback (502 upstream_forbidden) until allow-listed', async () => {
    // Seeded straight into the database: as if the name resolved elsewhere at save time (DNS rebinding).
    const host = `localhost:${upstream.port}`;
    const route = await seedRoute(world.db, `http://${host}/api`);
    const refused = await call(world.gateway.url, `${route.path}/x`, { headers: route.auth });
    expect(refused.status).toBe(502);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.json()).toMatchObject({ code: 'upstream_forbidden', status: 502 });
    expect(upstream.hits).toBe(0);

    // The very same upstream is reachable once a platform admin allow-lists the host (the gateway reloads
    // the list before refusing, at most once a second per host).
    await allowUpstreamHosts(world.db, [host]);
    let allowed = await call(world.gateway.url, `${route.path}/x`, { headers: route.auth });
    await eventually(async () => {
      allowed = await call(world.gateway.url, `${route.path}/x`, { headers: route.auth });
      return allowed.status !== 502;
    }, 3_000);
    expect(allowed.status).toBe(200);
    expect(allowed.text).toBe('internal');
    expect(upstream.hits).toBe(1);
  });

  it('refuses literal metadata and private addresses without connecting', async () => {
    for (const url of ['http://169.254.169.254/latest', 'http://[::1]:9/', 'http://10.0.0.1:9/']) {
      const route = await seedRoute(world.db, url);
      const res = await call(world.gateway.url, `${route.path}/x`, { headers: route.auth });
      expect(res.status, url).toBe(502);
      expect(res.json().code, url).toBe('upstream_forbidden');
    }
  });
});
