import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { bearer, call, eventually, notify } from './harness.ts';

/* Guardrails on a PROMPT API: refusals are problem+json with code guardrail_blocked and the rule's name. */

const SECRET = 'sk-openai-prompt-guardrails-0123';

describe('PROMPT API guardrails', () => {
  let world: AiWorld;
  let fake: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;

  beforeAll(async () => {
    world = await startAiWorld(false);
    fake = await startFakeLlm({ flavor: 'openai', apiKey: SECRET });
    seeded = await seedAiApi(world, {
      kind: 'PROMPT',
      credentials: [{ provider: 'openai', baseUrl: fake.baseUrl, secret: SECRET }],
      ai: ([id]) => ({
        model: 'fast',
        routes: [{ name: 'fast', targets: [{ credentialId: id, model: 'gpt-4o-mini' }] }],
        user: 'Summarise: {{text}}',
        inputSchema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
        guardrails: [
          { type: 'deny', name: 'no-competitors', stage: 'input', action: 'block', terms: ['globex'] },
          { type: 'pii', name: 'no-cards', stage: 'both', action: 'redact', detect: ['card'] },
          { type: 'pii', name: 'no-keys', stage: 'output', action: 'block', detect: ['secret'] },
        ],
      }),
    });
  });
  afterAll(async () => {
    await world?.close();
    await fake?.close();
  });

  const run = (text: string) =>
    call(seeded.base, '/v1/run', {
      method: 'POST',
      headers: { ...bearer(seeded.consumer.plaintext), 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });

  it('refuses a blocked input with problem+json (400) before calling the model', async () => {
    const before = fake.requests.length;
    const res = await run('What about Globex?');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, code: 'guardrail_blocked', rule: 'no-competitors' });
    expect(fake.requests.length).toBe(before);
  });

  it('redacts the rendered prompt and the answer', async () => {
    fake.configure({ reply: 'Card 5555 5555 5555 4444 noted.' });
    const res = await run('pay with 4111 1111 1111 1111');
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ output: 'Card [CARD] noted.' });
    expect(fake.lastRequest().body).toMatchObject({
      messages: [{ role: 'user', content: 'Summarise: pay with [CARD]' }],
    });
  });

  it('refuses a blocked answer with 422 and logs the decision', async () => {
    fake.configure({ reply: 'Use AKIAIOSFODNN7EXAMPLE to log in.' });
    const res = await run('how do I log in');
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({ status: 422, code: 'guardrail_blocked', rule: 'no-keys' });
    await world.gateway.flushUsage();
    await eventually(
      async () => (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id, status: 422 } })) === 1,
      5_000,
    );
    const row = await world.db.aiCallLog.findFirstOrThrow({ where: { apiId: seeded.api.id, status: 422 } });
    expect(row.errorCode).toBe('guardrail_blocked');
    expect(row.guardrails).toEqual([{ rule: 'no-keys', type: 'pii', stage: 'output', action: 'block' }]);
    expect(row.tokensOut).toBeGreaterThan(0);
  });

  it("runs a released version's own guardrails, not the working copy's", async () => {
    const doc = (credentialId: string, guardrails: object[]) => ({
      model: 'fast',
      routes: [{ name: 'fast', targets: [{ credentialId, model: 'gpt-4o-mini' }] }],
      user: 'Summarise: {{text}}',
      inputSchema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
      guardrails,
    });
    const versioned = await seedAiApi(world, {
      kind: 'PROMPT',
      credentials: [{ provider: 'openai', baseUrl: fake.baseUrl, secret: SECRET }],
      ai: ([id]) =>
        doc(id as string, [
          { type: 'deny', name: 'draft-rule', stage: 'input', action: 'block', terms: ['globex'] },
        ]),
    });
    await world.db.promptVersion.create({
      data: {
        apiId: versioned.api.id,
        orgId: versioned.org.id,
        number: 1,
        config: doc(versioned.credentialIds[0] as string, [
          { type: 'deny', name: 'v1-rule', stage: 'input', action: 'block', terms: ['initech'] },
        ]),
      },
    });
    await world.db.api.update({ where: { id: versioned.api.id }, data: { promptRelease: { versionA: 1 } } });
    await notify(world.db, { kind: 'api', id: versioned.api.id });
    const runOn = (text: string) =>
      call(versioned.base, '/v1/run', {
        method: 'POST',
        headers: { ...bearer(versioned.consumer.plaintext), 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
    fake.configure({ reply: 'fine' });
    await eventually(async () => (await runOn('about Globex')).status === 200, 5_000);
    const blocked = await runOn('about Initech');
    expect(blocked.status).toBe(400);
    expect(blocked.headers['x-portcullis-prompt-version']).toBe('1');
    expect(blocked.json()).toMatchObject({ code: 'guardrail_blocked', rule: 'v1-rule' });
  });
});
