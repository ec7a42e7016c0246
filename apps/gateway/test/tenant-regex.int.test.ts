import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { readGatewayEnv } from '../src/env.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { type ChildGateway, spawnGateway } from './child-gateway.ts';
import { bearer, eventually } from './harness.ts';

/*
 * Tenants' regular expressions against a consumer's crafted input. With JavaScript's backtracking
 * engine `(a+)+$` on 36 'a's and a '!' needs ~2^36 steps: the gateway process would be stuck for minutes
 * and every tenant on it with it. The gateway under test is its own process (the CLI entry, one worker),
 * so a stuck gateway shows here as a client-side timeout instead of stalling the test runner.
 */

const CRAFTED = `${'a'.repeat(36)}!`;
/** Far above an RE2 answer (milliseconds), far below the backtracking one (minutes). */
const BOUND_MS = 1_000;
/** The client gives up well before a stuck gateway would answer. */
const CLIENT_TIMEOUT_MS = 3_000;
const SECRET = 'sk-openai-tenant-secret-redos';

interface Timed {
  status: number;
  ms: number;
  body: Record<string, unknown>;
}

async function timed(
  url: string,
  init: { method?: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
): Promise<Timed> {
  const started = performance.now();
  const res = await request(url, {
    method: init.method ?? 'GET',
    headers: init.headers,
    body: init.body ?? null,
    signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
  });
  const text = await res.body.text();
  return { status: res.statusCode, ms: performance.now() - started, body: JSON.parse(text) };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('tenant regular expressions on the gateway (CLI process)', () => {
  let world: AiWorld;
  let llm: FakeLlm;
  let gateway: ChildGateway;
  let validated: { path: string; key: string };
  let aiApi: { path: string; key: string; apiId: string };
  let bystander: { path: string; key: string };

  beforeAll(async () => {
    // The in-process world provides the database, the upstream and the encryption key; the gateway
    // under test is the child process.
    world = await startAiWorld(false);
    llm = await startFakeLlm({ flavor: 'openai', apiKey: SECRET });

    const strict = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url, rateLimit: 1_000 });
    await world.db.api.update({
      where: { id: strict.api.id },
      data: {
        policies: { validateRequests: true },
        openapiSpec: {
          openapi: '3.1.0',
          info: { title: 'codes', version: '1' },
          paths: {
            '/codes': {
              get: {
                parameters: [{ name: 'code', in: 'query', schema: { type: 'string', pattern: '^(a+)+$' } }],
              },
            },
          },
        },
      },
    });
    validated = {
      path: `/${strict.org.slug}/${strict.api.slug}`,
      key: (await seedConsumerWithKey(world.db, strict.plan.id)).plaintext,
    };

    const ai = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: llm.baseUrl, secret: SECRET }],
      ai: ([credentialId]) => ({
        routes: [{ name: 'fast', targets: [{ credentialId, model: 'gpt-4o-mini' }] }],
        logging: { logBodies: true, redact: ['(a+)+$'] },
      }),
    });
    aiApi = { path: `/${ai.org.slug}/${ai.api.slug}`, key: ai.consumer.plaintext, apiId: ai.api.id };

    const other = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url, rateLimit: 1_000 });
    bystander = {
      path: `/${other.org.slug}/${other.api.slug}`,
      key: (await seedConsumerWithKey(world.db, other.plan.id)).plaintext,
    };

    const env = readGatewayEnv();
    gateway = await spawnGateway({
      DATABASE_URL: env.DATABASE_URL,
      GATEWAY_PORT: '0',
      GATEWAY_WORKERS: '1',
      USAGE_FLUSH_INTERVAL_MS: '100',
      PORTCULLIS_ENCRYPTION_KEY: world.encryptionKey,
    });
    // warm both paths (config load, validator compile) so the timings below are the patterns' alone
    const warm = await timed(`${gateway.url}${validated.path}/codes?code=aaa`, {
      headers: bearer(validated.key),
    });
    expect(warm.status).toBe(200);
    expect(
      (await timed(`${gateway.url}${bystander.path}/x`, { headers: bearer(bystander.key) })).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await gateway?.stop('SIGKILL');
    await llm?.close();
    await world?.close();
  });

  it('refuses a crafted value for an OpenAPI pattern quickly while another consumer is served', async () => {
    const crafted = timed(`${gateway.url}${validated.path}/codes?code=${CRAFTED}`, {
      headers: bearer(validated.key),
    });
    await delay(20);
    const other = timed(`${gateway.url}${bystander.path}/elsewhere`, { headers: bearer(bystander.key) });
    const [refused, served] = await Promise.all([crafted, other]);

    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'request_invalid' });
    expect(refused.body.errors).toEqual([
      { in: 'query', name: 'code', message: 'must match pattern "^(a+)+$"' },
    ]);
    expect(refused.ms).toBeLessThan(BOUND_MS);
    expect(served.status).toBe(200);
    expect(served.ms).toBeLessThan(BOUND_MS);
  });

  it('logs an AI call whose body defeats a backtracking redaction pattern without stalling others', async () => {
    const chat = await timed(`${gateway.url}${aiApi.path}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...bearer(aiApi.key), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: CRAFTED }] }),
    });
    expect(chat.status).toBe(200);
    // the call log row is written after the answer: the next request is what a stuck redaction delays
    const other = await timed(`${gateway.url}${bystander.path}/elsewhere`, {
      headers: bearer(bystander.key),
    });
    expect(chat.ms).toBeLessThan(BOUND_MS);
    expect(other.status).toBe(200);
    expect(other.ms).toBeLessThan(BOUND_MS);

    await eventually(
      async () => (await world.db.aiCallLog.count({ where: { apiId: aiApi.apiId } })) > 0,
      5_000,
    );
    const row = await world.db.aiCallLog.findFirstOrThrow({ where: { apiId: aiApi.apiId } });
    // `(a+)+$` needs the a's at the very end; a JSON body ends with `}`, so nothing is redacted
    expect(row.requestBody).toContain(CRAFTED);
  });
});
