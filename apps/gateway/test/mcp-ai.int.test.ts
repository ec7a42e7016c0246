import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { estimateTokens, loadTokenizer } from '@portcullis/ai/tokens';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';
import { connectClient } from './mcp-harness.ts';

/*
 * Prompt and AI APIs as MCP tools, called with the official MCP client: a prompt API offers `run` (its
 * variables as arguments), an AI API `chat` over the routes its provider picked. Each tools/call is a
 * call of the API with the agent's key, so budgets reserve and settle on the same counters as direct
 * calls: tool calls and SDK calls in flight together against a USD budget covering five admit five.
 */

const KEY = 'sk-mcp-ai';
const MODEL = 'gpt-4o-mini';
const PROMPT = 'count to four please';
const REPLY = 'one two three four';
const MAX_TOKENS = 20;
// micro-USD per token: input 3, output 1
const PRICE = { provider: 'openai', model: MODEL, inputPerMillion: '3', outputPerMillion: '1' };

type CallResult = Awaited<ReturnType<Client['callTool']>>;
const textOf = (result: CallResult) =>
  (result.content as { type: string; text?: string }[]).map((part) => part.text ?? '').join('\n');

describe('AI and prompt APIs as MCP tools', () => {
  let world: AiWorld;
  let llm: FakeLlm;
  const clients: Client[] = [];

  beforeAll(async () => {
    await loadTokenizer(MODEL);
    world = await startAiWorld(false);
    llm = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: REPLY });
  });
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await world?.close();
    await llm?.close();
  });

  const connect = async (url: string, key: string) => {
    const { client } = await connectClient(url, key);
    clients.push(client);
    return client;
  };

  async function seedPrompt(mcp: unknown = { enabled: true }) {
    const seeded = await seedAiApi(world, {
      kind: 'PROMPT',
      credentials: [{ provider: 'openai', baseUrl: llm.baseUrl, secret: KEY }],
      ai: ([id]) => ({
        model: 'writer',
        routes: [{ name: 'writer', targets: [{ credentialId: id, model: MODEL }] }],
        system: 'You classify {{kind}} texts.',
        user: 'Text: {{text}}',
        inputSchema: {
          type: 'object',
          properties: { text: { type: 'string', minLength: 1 }, kind: { type: 'string' } },
          required: ['text', 'kind'],
        },
      }),
    });
    await world.db.api.update({
      where: { id: seeded.api.id },
      data: { mcp: mcp as object, name: 'Classifier', description: 'Classifies short texts.' },
    });
    return seeded;
  }

  async function seedChat(aiLimits?: unknown) {
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: llm.baseUrl, secret: KEY }],
      ai: ([a]) => ({
        routes: [
          { name: 'alias', targets: [{ credentialId: a, model: MODEL }] },
          { name: 'embed', targets: [{ credentialId: a, model: 'text-embedding-3-small' }] },
        ],
      }),
      prices: [PRICE],
      ...(aiLimits ? { aiLimits } : {}),
    });
    await world.db.api.update({
      where: { id: seeded.api.id },
      data: { mcp: { enabled: true, tools: ['alias'] } },
    });
    return seeded;
  }

  async function logs(apiId: string, count: number) {
    await eventually(async () => {
      await world.gateway.flushUsage();
      const [calls, requests] = await Promise.all([
        world.db.aiCallLog.count({ where: { apiId } }),
        world.db.requestLog.count({ where: { apiId } }),
      ]);
      return calls >= count && requests >= count;
    }, 5_000);
    const [calls, requests] = await Promise.all([
      world.db.aiCallLog.findMany({ where: { apiId } }),
      world.db.requestLog.findMany({ where: { apiId } }),
    ]);
    return { calls, requests };
  }

  it("offers a prompt API as its run tool: the prompt's schema, rendered templates, a logged call", async () => {
    llm.configure({ reply: 'A happy text.' });
    onTestFinished(() => llm.configure({ reply: REPLY }));
    const seeded = await seedPrompt();
    const client = await connect(`${seeded.base}/mcp`, seeded.consumer.plaintext);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(1);
    expect(tools[0]).toMatchObject({
      name: 'run',
      title: 'Classifier',
      inputSchema: { type: 'object', required: ['text', 'kind'] },
    });
    expect(tools[0]?.description).toContain('Classifies short texts.');

    const result = await client.callTool({ name: 'run', arguments: { text: 'I love it', kind: 'review' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('A happy text.');
    expect(result.structuredContent).toMatchObject({ output: 'A happy text.', model: MODEL });
    expect(llm.lastRequest().body).toMatchObject({
      messages: [
        { role: 'system', content: 'You classify review texts.' },
        { role: 'user', content: 'Text: I love it' },
      ],
    });
    const { calls, requests } = await logs(seeded.api.id, 1);
    expect(calls.map((c) => [c.surface, c.status])).toEqual([['prompt', 200]]);
    expect(requests.filter((r) => r.mcpTool !== null).map((r) => [r.mcpTool, r.status])).toEqual([
      ['run', 200],
    ]);

    // variables the prompt's schema refuses come back as a tool error naming them; nothing is called
    const before = llm.requests.length;
    const refused = await client.callTool({ name: 'run', arguments: { text: '' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/request_invalid[\s\S]*kind/);
    expect(llm.requests.length).toBe(before);
  });

  it("offers an AI API's chosen routes through its chat tool, and nothing else", async () => {
    const seeded = await seedChat();
    const client = await connect(`${seeded.base}/mcp`, seeded.consumer.plaintext);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['chat']);
    expect(tools[0]?.inputSchema.properties?.model).toMatchObject({ enum: ['alias'] });

    const result = await client.callTool({
      name: 'chat',
      arguments: { prompt: PROMPT, system: 'Be brief.', max_tokens: 7 },
    });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe(REPLY);
    expect(result.structuredContent).toMatchObject({ text: REPLY, finish_reason: 'stop' });
    expect(llm.lastRequest().body).toMatchObject({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: PROMPT },
      ],
      max_completion_tokens: 7,
    });

    const before = llm.requests.length;
    for (const [args, field] of [
      [{ prompt: PROMPT, model: 'embed' }, 'model'],
      [{ prompt: '' }, 'prompt'],
      [{ prompt: PROMPT, max_tokens: 0 }, 'max_tokens'],
      [{ prompt: PROMPT, messages: [] }, 'messages'],
    ] as const) {
      const refused = await client.callTool({ name: 'chat', arguments: args });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain(`Invalid argument '${field}'`);
    }
    expect(llm.requests.length).toBe(before);
  });

  it("lists the tools at the app's /mcp under the API's slug, and calls them there", async () => {
    const seeded = await seedPrompt();
    const client = await connect(`${world.gateway.url}/mcp`, seeded.consumer.plaintext);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([`${seeded.api.slug}.run`]);
    const result = await client.callTool({
      name: `${seeded.api.slug}.run`,
      arguments: { text: 'fine', kind: 'review' },
    });
    expect(textOf(result)).toBe(REPLY);
  });

  it('serves no MCP endpoint for an AI or prompt API whose provider left it off', async () => {
    const seeded = await seedPrompt({ enabled: false });
    await expect(connect(`${seeded.base}/mcp`, seeded.consumer.plaintext)).rejects.toThrow();
  });

  it('tool calls and SDK calls in flight together against a budget covering five admit five, settled exactly', async () => {
    const input = estimateTokens([{ role: 'user', content: PROMPT }], MODEL).tokens;
    const worst = (maxTokens: number) => 3 * input + maxTokens;
    const limit = 5 * worst(MAX_TOKENS);
    const seeded = await seedChat([
      { metric: 'usd', window: 'day', scope: 'key', limit: (limit / 1e6).toFixed(6) },
    ]);
    const key = seeded.consumer.plaintext;
    const client = await connect(`${seeded.base}/mcp`, key);
    await client.listTools();
    const openai = new OpenAI({ apiKey: key, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
    const sdkCall = (maxTokens: number) =>
      openai.chat.completions
        .create({ model: 'alias', messages: [{ role: 'user', content: PROMPT }], max_tokens: maxTokens })
        .then(
          () => 'ok' as const,
          (error: unknown) => {
            if (error instanceof OpenAI.RateLimitError) return 'refused' as const;
            throw error;
          },
        );
    // slow enough that every call is in flight when the budget runs out
    llm.configure({ latencyMs: 1_500, tokenDelayMs: 0 });
    const outcomes = await Promise.all([
      ...Array.from({ length: 12 }, () =>
        client
          .callTool({ name: 'chat', arguments: { prompt: PROMPT, max_tokens: MAX_TOKENS } })
          .then((result) => (result.isError ? `refused: ${textOf(result)}` : 'ok')),
      ),
      ...Array.from({ length: 4 }, () => sdkCall(MAX_TOKENS)),
    ]).finally(() => llm.configure({ latencyMs: 0 }));
    const admitted = outcomes.filter((o) => o === 'ok');
    expect(admitted).toHaveLength(5);
    const refusals = outcomes.filter((o) => o !== 'ok' && o !== 'refused');
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) expect(refusal).toContain('budget_exceeded');

    const { calls, requests } = await logs(seeded.api.id, 5);
    expect(calls).toHaveLength(5);
    const toolCalls = requests.filter((r) => r.mcpTool === 'chat');
    expect(toolCalls).toHaveLength(12);
    expect(toolCalls.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    const spent = calls.reduce((sum, c) => sum + Number(c.costMicros), 0);
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(limit);
    // the counter holds exactly what the call log says: what is left admits a call that needs it, not one more
    const left = limit - spent - worst(0);
    expect(await sdkCall(left + 1)).toBe('refused');
    expect(await sdkCall(left)).toBe('ok');
  }, 30_000);
});
