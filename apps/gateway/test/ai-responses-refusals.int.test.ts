import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';

/*
 * What the Responses API surface refuses, through the official `openai` client: garbage and features it
 * cannot serve (400 naming them), stored conversations past their bounds, and calls past the plan's
 * token limits.
 */

const KEY = 'sk-responses-limits-0000000000';

describe('AI Responses API refusals', () => {
  let world: AiWorld;
  let openaiFake: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;
  let client: OpenAI;

  beforeAll(async () => {
    world = await startAiWorld(false);
    openaiFake = await startFakeLlm({ flavor: 'openai', apiKey: KEY });
    seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: openaiFake.baseUrl, secret: KEY }],
      ai: ([id]) => ({ routes: [{ name: 'fast', targets: [{ credentialId: id, model: 'gpt-4o-mini' }] }] }),
    });
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await openaiFake?.close();
  });

  it('bounds a stored conversation by size and by length', async () => {
    const big = 'word '.repeat(220_000); // about 1.1 MB
    const tooLarge = await client.responses.create({ model: 'fast', input: big }).catch((e: unknown) => e);
    expect(tooLarge).toBeInstanceOf(OpenAI.BadRequestError);
    expect(tooLarge).toMatchObject({ code: 'conversation_too_large', param: 'input' });
    const unstored = await client.responses.create({ model: 'fast', input: big, store: false });
    expect(unstored.status).toBe('completed');

    const last = await client.responses.create({ model: 'fast', input: 'Turn 100' });
    await world.db.aiResponse.update({ where: { id: last.id }, data: { turns: 100 } });
    const tooLong = await client.responses
      .create({ model: 'fast', previous_response_id: last.id, input: 'Turn 101' })
      .catch((e: unknown) => e);
    expect(tooLong).toMatchObject({ status: 400, code: 'conversation_too_long' });
    const unstoredTurn = await client.responses.create({
      model: 'fast',
      previous_response_id: last.id,
      input: 'Turn 101',
      store: false,
    });
    expect(unstoredTurn.output_text).toBe(DEFAULT_REPLY);
  });

  it('counts its tokens against the same plan limits as chat, and is refused once they are used up', async () => {
    const limited = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: openaiFake.baseUrl, secret: KEY }],
      ai: ([id]) => ({ routes: [{ name: 'fast', targets: [{ credentialId: id, model: 'gpt-4o-mini' }] }] }),
      aiLimits: [{ metric: 'tokens', window: 'minute', scope: 'app', limit: '3' }],
    });
    const onLimited = new OpenAI({
      apiKey: limited.consumer.plaintext,
      baseURL: `${limited.base}/v1`,
      maxRetries: 0,
    });
    let refused: unknown;
    for (let i = 0; i < 20 && !refused; i++) {
      await onLimited.responses.create({ model: 'fast', input: 'Spend tokens' }).catch((e: unknown) => {
        refused = e;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(refused).toMatchObject({ status: 429, code: 'token_limit_exceeded' });
    // one counter for both surfaces
    const chat = await onLimited.chat.completions
      .create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(chat).toMatchObject({ status: 429, code: 'token_limit_exceeded' });
  });

  it('refuses garbage and unsupported features with a 400 in OpenAI error shape naming them', async () => {
    const post = (body: string) =>
      fetch(`${seeded.base}/v1/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${seeded.consumer.plaintext}`, 'content-type': 'application/json' },
        body,
      });
    const broken = await post('{"model": "fast", "input": ');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    for (const body of ['[]', '"text"', 'null']) expect((await post(body)).status).toBe(400);

    const cases: [Record<string, unknown>, RegExp, string | null][] = [
      [{ model: 'fast' }, /Missing required parameter: 'input'/, 'input'],
      [{ model: 'fast', input: [] }, /input/, 'input'],
      [{ model: 'fast', input: 'hi', tools: [{ type: 'web_search' }] }, /'web_search'/, 'tools[0].type'],
      [
        { model: 'fast', input: 'hi', tools: [{ type: 'file_search', vector_store_ids: ['vs'] }] },
        /'file_search'/,
        'tools[0].type',
      ],
      [{ model: 'fast', input: 'hi', background: true }, /'background'/, 'background'],
      [{ model: 'fast', input: [{ type: 'item_reference', id: 'x' }] }, /'item_reference'/, 'input[0]'],
      [{ model: 'fast', input: 'hi', temperature: 7 }, /temperature/, 'temperature'],
      [
        { model: 'fast', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] },
        /'input_file'/,
        'input[0].content[0]',
      ],
      [
        { model: 'fast', input: [{ type: 'function_call_output', output: 'x' }] },
        /call_id/,
        'input[0].call_id',
      ],
    ];
    for (const [body, message, param] of cases) {
      const error = await client.responses.create(body as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(body)).toBeInstanceOf(OpenAI.BadRequestError);
      const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
      expect(bad.message).toMatch(message);
      expect(bad.param).toBe(param);
    }
    const unknownModel = await client.responses
      .create({ model: 'nope', input: 'hi' })
      .catch((e: unknown) => e);
    expect(unknownModel).toBeInstanceOf(OpenAI.NotFoundError);
    const wrongMethod = await fetch(`${seeded.base}/v1/responses`, {
      headers: { authorization: `Bearer ${seeded.consumer.plaintext}` },
    });
    expect(wrongMethod.status).toBe(405);
    const malformedId = await fetch(`${seeded.base}/v1/responses/%E0%A4%A`, {
      headers: { authorization: `Bearer ${seeded.consumer.plaintext}` },
    });
    expect(malformedId.status).toBe(404);
  });
});
