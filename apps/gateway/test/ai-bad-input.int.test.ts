import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { bearer, call } from './harness.ts';

/*
 * Request bodies a client controls, however deep: a 400 in the surface's error shape, never a 500 from
 * an adapter walking a tool or response schema recursively (Gemini's schema cleaner, Anthropic's
 * structured-output tool).
 */

/** A JSON Schema nested `depth` levels through `properties`, as JSON text (too deep for JSON.stringify). */
function deepSchema(depth: number): string {
  return `${'{"type":"object","properties":{"a":'.repeat(depth)}{"type":"string"}${'}}'.repeat(depth)}`;
}

describe('AI requests nested too deep', () => {
  let world: AiWorld;
  let gemini: FakeLlm;
  let anthropic: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;

  beforeAll(async () => {
    world = await startAiWorld(false);
    gemini = await startFakeLlm({ flavor: 'gemini', apiKey: 'gemini-key' });
    anthropic = await startFakeLlm({ flavor: 'anthropic', apiKey: 'sk-ant-deep' });
    seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'gemini', baseUrl: gemini.baseUrl, secret: 'gemini-key' },
        { provider: 'anthropic', baseUrl: anthropic.baseUrl, secret: 'sk-ant-deep' },
      ],
      ai: ([geminiId, anthropicId]) => ({
        routes: [
          { name: 'flash', targets: [{ credentialId: geminiId, model: 'gemini-2.0-flash' }] },
          { name: 'claude', targets: [{ credentialId: anthropicId, model: 'claude-sonnet-4-5' }] },
        ],
      }),
    });
  });
  afterAll(async () => {
    await world?.close();
    await gemini?.close();
    await anthropic?.close();
  });

  const post = (body: string) =>
    call(`${seeded.base}`, '/v1/chat/completions', {
      method: 'POST',
      headers: { ...bearer(seeded.consumer.plaintext), 'content-type': 'application/json' },
      body,
    });

  it('refuses a tool schema nested 20,000 levels with a 400 naming the limit', async () => {
    for (const model of ['flash', 'claude']) {
      const tools = `[{"type":"function","function":{"name":"f","parameters":${deepSchema(20_000)}}}]`;
      const res = await post(
        `{"model":"${model}","messages":[{"role":"user","content":"hi"}],"tools":${tools}}`,
      );
      expect(res.status, `${model}: ${res.text.slice(0, 200)}`).toBe(400);
      expect(res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
      expect(String((res.json().error as { message: string }).message)).toMatch(/nest/);
    }
  });

  it('refuses a response_format schema nested 20,000 levels with a 400', async () => {
    const format = `{"type":"json_schema","json_schema":{"name":"o","schema":${deepSchema(20_000)}}}`;
    const res = await post(
      `{"model":"claude","messages":[{"role":"user","content":"hi"}],"response_format":${format}}`,
    );
    expect(res.status, res.text.slice(0, 200)).toBe(400);
  });

  it('still answers ordinary requests with tools', async () => {
    const tools = `[{"type":"function","function":{"name":"f","parameters":${deepSchema(5)}}}]`;
    const res = await post(`{"model":"flash","messages":[{"role":"user","content":"hi"}],"tools":${tools}}`);
    expect(res.status, res.text.slice(0, 200)).toBe(200);
  });
});
