import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';

/*
 * Response ids and conversation text come from the client: a NUL character (legal in JSON and in a
 * percent-encoded path, refused by Postgres in text and jsonb) is bad input, answered as such, never
 * as the store being down.
 */

const KEY = 'sk-responses-nul-0000000000000';

describe('AI Responses with NUL characters from the client', () => {
  let world: AiWorld;
  let fake: FakeLlm;
  let client: OpenAI;

  beforeAll(async () => {
    world = await startAiWorld(false);
    fake = await startFakeLlm({ flavor: 'openai', apiKey: KEY });
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: fake.baseUrl, secret: KEY }],
      ai: ([id]) => ({ routes: [{ name: 'fast', targets: [{ credentialId: id, model: 'gpt-4o-mini' }] }] }),
    });
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await fake?.close();
  });

  it('answers GET and DELETE of an id holding a NUL with 404, not 503', async () => {
    const got = await client.responses.retrieve('resp_\u0000x').catch((e: unknown) => e);
    expect(got).toBeInstanceOf(OpenAI.NotFoundError);
    const deleted = await client.responses.delete('resp_\u0000x').catch((e: unknown) => e);
    expect(deleted).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers a previous_response_id holding a NUL with 404, not 503', async () => {
    const chained = await client.responses
      .create({ model: 'fast', input: 'hi', previous_response_id: 'resp_\u0000x' })
      .catch((e: unknown) => e);
    expect(chained).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('stores a conversation whose text holds a NUL and gives it back as sent', async () => {
    const response = await client.responses.create({ model: 'fast', input: 'before\u0000after' });
    expect((response as unknown as { store: boolean }).store).toBe(true);
    const again = await client.responses.retrieve(response.id);
    expect(again.id).toBe(response.id);
    // The stored conversation comes back as it was sent, NUL included
    await client.responses.create({ model: 'fast', input: 'and then?', previous_response_id: response.id });
    expect(fake.lastRequest().rawBody).toContain('before\\u0000after');
  });

  it('keeps text that holds the private-use mark the store escapes with', async () => {
    const marked = 'mark\ue000 0 \ue0000 \ue000\ue000 end';
    const response = await client.responses.create({ model: 'fast', input: marked });
    await client.responses.create({ model: 'fast', input: 'next', previous_response_id: response.id });
    const sent = fake.lastRequest().body as { messages: { content: unknown }[] };
    expect(JSON.stringify(sent.messages)).toContain(JSON.stringify(marked));
  });
});
