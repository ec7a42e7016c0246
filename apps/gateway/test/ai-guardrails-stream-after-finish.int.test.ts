import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * A careless OpenAI-compatible provider that keeps streaming text for a choice after the chunk that
 * finished it. The JSON-schema rule checks a choice's whole answer when it finishes: text arriving
 * after that must not reach the client unchecked.
 */

const SECRET = 'sk-after-finish-0123456789';
const ANSWER = '{"answer": "yes"}';
const TAIL = ' and then some text that is not JSON';

const chunk = (delta: Record<string, unknown>, finish: string | null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;

function startCarelessProvider(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: ANSWER }, null));
      res.write(chunk({}, 'stop'));
      res.write(chunk({ content: TAIL }, null));
      res.write(
        `data: ${JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'gpt-4o-mini',
          choices: [],
          usage: { prompt_tokens: 3, completion_tokens: 10, total_tokens: 13 },
        })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('whole-answer guardrails on a stream that goes on after its finish', () => {
  let world: AiWorld;
  let provider: Server;
  let client: OpenAI;
  let apiId: string;

  beforeAll(async () => {
    world = await startAiWorld(false);
    provider = await startCarelessProvider();
    const { port } = provider.address() as AddressInfo;
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, secret: SECRET }],
      ai: ([id]) => ({
        routes: [
          {
            name: 'json',
            targets: [{ credentialId: id, model: 'gpt-4o-mini' }],
            guardrails: [
              {
                type: 'json_schema',
                name: 'answer-shape',
                schema: { type: 'object', required: ['answer'], properties: { answer: { type: 'string' } } },
              },
            ],
          },
        ],
      }),
    });
    apiId = seeded.api.id;
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await new Promise((resolve) => provider?.close(resolve));
  });

  it('never delivers text that arrived after the finish the JSON-schema rule passed', async () => {
    const stream = await client.chat.completions.create({
      model: 'json',
      messages: [{ role: 'user', content: 'Answer in JSON' }],
      stream: true,
    });
    let text = '';
    const error = await (async () => {
      for await (const part of stream) for (const choice of part.choices) text += choice.delta.content ?? '';
    })().catch((e: unknown) => e);
    // either the tail is dropped, or the stream ends with the guardrail's error: never an unchecked answer
    const unchecked = text.includes(TAIL) && error === undefined;
    expect({ text, unchecked }).toMatchObject({ unchecked: false });
  });

  it('sends the checked answer, drops the rest, records the drop and meters the provider count', async () => {
    const stream = await client.chat.completions.create({
      model: 'json',
      messages: [{ role: 'user', content: 'Answer in JSON' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const part of stream) {
      for (const choice of part.choices) text += choice.delta.content ?? '';
      usage ??= part.usage;
    }
    expect(text).toBe(ANSWER);
    expect(usage?.completion_tokens).toBe(10);

    await world.gateway.flushUsage();
    const rows = async () => world.db.aiCallLog.findMany({ where: { apiId } });
    await eventually(async () => (await rows()).length >= 2, 5_000);
    for (const row of await rows()) {
      expect(row).toMatchObject({ status: 200, errorCode: null, tokensOut: 10, tokensEstimated: false });
      expect(row.guardrails).toEqual([
        expect.objectContaining({
          rule: 'answer-shape',
          action: 'redact',
          detail: expect.stringContaining(`choice 0: ${TAIL.length} characters`),
        }),
      ]);
    }
  });
});
