import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { loadTokenizer } from '@portcullis/ai/tokens';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';
import { connectClient } from './mcp-harness.ts';

/*
 * Prompt and AI APIs as MCP tools at the edges: schemas a provider may save, releases, slow and long
 * answers. Every tool is used through the official MCP client, which checks tools/list against the MCP
 * schema and each result's structured content against the tool's output schema.
 */

const KEY = 'sk-mcp-ai-edges';
const MODEL = 'gpt-4o-mini';
const REPLY = 'a short answer';

type CallResult = Awaited<ReturnType<Client['callTool']>>;
const textOf = (result: CallResult) =>
  (result.content as { type: string; text?: string }[]).map((part) => part.text ?? '').join('\n');

interface PromptDocument {
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  user: string;
}

describe('AI and prompt APIs as MCP tools, at the edges', () => {
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

  const promptConfig = (credentialId: string, doc: PromptDocument) => ({
    model: 'writer',
    routes: [{ name: 'writer', targets: [{ credentialId, model: MODEL }] }],
    user: doc.user,
    inputSchema: doc.inputSchema,
    ...(doc.outputSchema ? { outputSchema: doc.outputSchema } : {}),
  });

  async function seedPrompt(doc: PromptDocument) {
    const seeded = await seedAiApi(world, {
      kind: 'PROMPT',
      credentials: [{ provider: 'openai', baseUrl: llm.baseUrl, secret: KEY }],
      ai: ([id]) => promptConfig(id as string, doc),
    });
    await world.db.api.update({ where: { id: seeded.api.id }, data: { mcp: { enabled: true } } });
    return seeded;
  }

  async function seedChat() {
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: llm.baseUrl, secret: KEY }],
      ai: ([a]) => ({ routes: [{ name: 'alias', targets: [{ credentialId: a, model: MODEL }] }] }),
      prices: [{ provider: 'openai', model: MODEL, inputPerMillion: '3', outputPerMillion: '1' }],
    });
    await world.db.api.update({
      where: { id: seeded.api.id },
      data: { mcp: { enabled: true, tools: ['alias'] } },
    });
    return seeded;
  }

  /** POST /v1/run straight at the prompt API, as an SDK-less client would. */
  async function runDirectly(base: string, key: string, variables: unknown) {
    const response = await fetch(`${base}/v1/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(variables),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("a prompt variable whose schema is `true` (any value) leaves the app's /mcp listable by the official client", async () => {
    const chat = await seedChat();
    const prompt = await seedPrompt({
      user: 'Text: {{text}} Notes: {{notes}}',
      inputSchema: {
        type: 'object',
        properties: { text: { type: 'string' }, notes: true },
        required: ['text'],
      },
    });
    // the prompt itself works: the gateway's validator takes boolean schemas
    const direct = await runDirectly(prompt.base, prompt.consumer.plaintext, { text: 'hi', notes: [1] });
    expect(direct.status).toBe(200);

    // one app subscribed to both APIs (another tenant's chat API and the prompt)
    await world.db.subscription.create({
      data: { appId: chat.consumer.app.id, planId: prompt.plan.id, status: 'ACTIVE' },
    });
    const client = await connect(`${world.gateway.url}/mcp`, chat.consumer.plaintext);
    const listed = await client.listTools().then(
      ({ tools }) => tools.map((tool) => tool.name).sort(),
      (error: unknown) => `tools/list failed: ${String(error)}`,
    );
    expect(listed).toEqual([`${chat.api.slug}.chat`, `${prompt.api.slug}.run`].sort());
  });

  it('a prompt with a recursive output schema ($ref "#") answers the official client with its structured output', async () => {
    const tree = { label: 'root', children: [{ label: 'leaf', children: [] }] };
    llm.configure({ reply: JSON.stringify(tree) });
    onTestFinished(() => llm.configure({ reply: REPLY }));
    const seeded = await seedPrompt({
      user: 'Outline {{topic}}',
      inputSchema: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] },
      outputSchema: {
        type: 'object',
        properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } },
        required: ['label', 'children'],
        additionalProperties: false,
      },
    });
    const direct = await runDirectly(seeded.base, seeded.consumer.plaintext, { topic: 'trees' });
    expect(direct).toMatchObject({ status: 200, body: { output: tree } });

    const client = await connect(`${seeded.base}/mcp`, seeded.consumer.plaintext);
    await client.listTools();
    const result = await client
      .callTool({ name: 'run', arguments: { topic: 'trees' } })
      .catch((error: unknown) => `client refused the result: ${String(error)}`);
    expect(result).toMatchObject({ structuredContent: { output: tree } });
  });

  it('a prompt whose output schema is too large to list still answers the official client with its structured output', async () => {
    llm.configure({ reply: JSON.stringify({ label: 'positive' }) });
    onTestFinished(() => llm.configure({ reply: REPLY }));
    const seeded = await seedPrompt({
      user: 'Classify {{text}}',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      outputSchema: {
        type: 'object',
        description: `How to label: ${'be careful. '.repeat(6_000)}`,
        properties: { label: { type: 'string' } },
        required: ['label'],
      },
    });
    const client = await connect(`${seeded.base}/mcp`, seeded.consumer.plaintext);
    await client.listTools();
    const result = await client
      .callTool({ name: 'run', arguments: { text: 'I love it' } })
      .catch((error: unknown) => `client refused the result: ${String(error)}`);
    expect(result).toMatchObject({ structuredContent: { output: { label: 'positive' } } });
  });

  it('a release that sends every call to version B lists the run tool with version B’s variables', async () => {
    const seeded = await seedPrompt({
      user: 'Text: {{text}}',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    });
    const credentialId = seeded.credentialIds[0] as string;
    const versionA = promptConfig(credentialId, {
      user: 'Text: {{text}}',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    });
    const versionB = promptConfig(credentialId, {
      user: 'Topic: {{topic}}',
      inputSchema: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] },
    });
    for (const [number, config] of [
      [1, versionA],
      [2, versionB],
    ] as const) {
      await world.db.promptVersion.create({
        data: { apiId: seeded.api.id, orgId: seeded.org.id, number, config: config as object },
      });
    }
    await world.db.api.update({
      where: { id: seeded.api.id },
      data: { promptRelease: { versionA: 1, versionB: 2, weightB: 100 } },
    });
    // every direct call runs version B: it wants `topic`
    const direct = await runDirectly(seeded.base, seeded.consumer.plaintext, { text: 'hi' });
    expect(direct.status).toBe(400);

    const client = await connect(`${seeded.base}/mcp`, seeded.consumer.plaintext);
    const { tools } = await client.listTools();
    expect(tools[0]?.inputSchema.required).toEqual(['topic']);
  });

  it("a model answer slower than the platform's upstream timeout but within the route's own is delivered to the agent it was billed to", async () => {
    // the test world's upstream timeout is 1 s; the route's own provider timeout is its default (60 s)
    llm.configure({ latencyMs: 7_000 });
    onTestFinished(() => llm.configure({ latencyMs: 0 }));
    const seeded = await seedChat();
    const client = await connect(`${seeded.base}/mcp`, seeded.consumer.plaintext);
    await client.listTools();
    const result = await client.callTool({ name: 'chat', arguments: { prompt: 'take your time' } });

    // the provider answered, and the call was billed
    await eventually(async () => {
      await world.gateway.flushUsage();
      return (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id, status: 200 } })) === 1;
    }, 10_000);
    const [billed] = await world.db.aiCallLog.findMany({ where: { apiId: seeded.api.id } });
    expect(Number(billed?.costMicros)).toBeGreaterThan(0);
    // so the agent gets the answer it paid for
    expect(textOf(result)).toBe(REPLY);
    expect(result.isError).toBeFalsy();
  }, 30_000);

  it('a chat answer longer than a tool result holds is given cut, not billed and thrown away', async () => {
    const long = 'word '.repeat(60_000).trim();
    llm.configure({ reply: long });
    onTestFinished(() => llm.configure({ reply: REPLY }));
    const seeded = await seedChat();
    const client = await connect(`${seeded.base}/mcp`, seeded.consumer.plaintext);
    await client.listTools();
    const result = await client.callTool({ name: 'chat', arguments: { prompt: 'say word a lot' } });
    expect(textOf(result).slice(0, 200)).toMatch(/^word word word/);
    expect(result.isError).toBeFalsy();
  });
});
