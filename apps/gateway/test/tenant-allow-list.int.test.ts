import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { allowUpstreamHosts } from '../../../test/fixtures.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { call } from './harness.ts';
import { seedRoute, startServer, type TestServer } from './upstream-servers.ts';

/*
 * The SSRF allow-list is per organization: a loopback host a platform admin allows for org A stays
 * forbidden to org B's upstreams and AI credentials at connect time. The hosts are `localhost:<port>`,
 * which resolve to loopback and are not covered by the `127.0.0.1` entry other tests add for every tenant.
 */

const SECRET = 'sk-tenant-a-secret-0123456789';
const localhostOf = (url: string) => `localhost:${new URL(url).port}`;

describe('SSRF allow-list scoped to organizations (connect time)', () => {
  let world: AiWorld;
  let upstream: TestServer;
  let fake: FakeLlm;

  beforeAll(async () => {
    world = await startAiWorld(false);
    upstream = await startServer('internal');
    fake = await startFakeLlm({ flavor: 'openai', apiKey: SECRET });
  });
  afterAll(async () => {
    await upstream?.close();
    await fake?.close();
    await world?.close();
  });

  it("refuses org A's allow-listed host to org B's API (502 upstream_forbidden) while A reaches it", async () => {
    const host = localhostOf(upstream.url);
    // Seeded straight into the database: B's upstream names A's host (as if saved before scoping).
    const a = await seedRoute(world.db, `http://${host}/a`);
    const b = await seedRoute(world.db, `http://${host}/b`);
    const orgA = await world.db.api.findUniqueOrThrow({ where: { id: a.apiId }, select: { orgId: true } });
    await allowUpstreamHosts(world.db, [host], [orgA.orgId]);

    const allowed = await call(world.gateway.url, `${a.path}/x`, { headers: a.auth });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toBe('internal');
    const hits = upstream.hits;

    // B after A, so an open connection of A's would be reused if pools were shared between orgs.
    for (const attempt of [1, 2]) {
      const refused = await call(world.gateway.url, `${b.path}/x`, { headers: b.auth });
      expect(refused.status, `attempt ${attempt}`).toBe(502);
      expect(refused.headers['content-type']).toBe('application/problem+json');
      expect(refused.json()).toMatchObject({ code: 'upstream_forbidden', status: 502 });
    }
    expect(upstream.hits).toBe(hits);
    expect((await call(world.gateway.url, `${a.path}/y`, { headers: a.auth })).status).toBe(200);
  });

  it("refuses org A's allow-listed provider endpoint to org B's AI credential while A's calls succeed", async () => {
    const baseUrl = `http://${localhostOf(fake.origin)}/v1`;
    const options = {
      kind: 'AI' as const,
      credentials: [{ provider: 'openai', baseUrl, secret: SECRET }],
      ai: ([id]: string[]) => ({
        routes: [{ name: 'chat', targets: [{ credentialId: id, model: 'gpt-4o-mini' }] }],
      }),
    };
    const a = await seedAiApi(world, options);
    const b = await seedAiApi(world, options);
    await allowUpstreamHosts(world.db, [localhostOf(fake.origin)], [a.org.id]);
    const ask = (seeded: typeof a) =>
      new OpenAI({
        apiKey: seeded.consumer.plaintext,
        baseURL: `${seeded.base}/v1`,
        maxRetries: 0,
      }).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello' }] });

    const answer = await ask(a);
    expect(answer.choices[0]?.message.content).toEqual(expect.any(String));
    const calls = fake.requests.length;

    const refusal = await ask(b).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(OpenAI.APIError);
    expect((refusal as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((refusal as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_forbidden');
    expect(fake.requests.length).toBe(calls);
  });
});
