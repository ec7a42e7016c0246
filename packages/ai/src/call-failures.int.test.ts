import { createServer } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type CallOptions, callProvider } from './call.ts';
import type { ChatCompletionChunk, ChatCompletionRequest } from './types.ts';

/* Transport failures and stream edge cases: what the gateway's fallback logic gets to decide on. */

const request: ChatCompletionRequest = {
  model: 'm',
  messages: [{ role: 'user', content: 'Tell me something.' }],
};

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe('provider call failures', () => {
  let openai: FakeLlm;
  let anthropic: FakeLlm;
  const viaOpenAI = (extra: Partial<CallOptions> & { request?: ChatCompletionRequest } = {}) =>
    callProvider({
      provider: 'openai',
      model: 'gpt-4o-mini',
      credential: { apiKey: openai.apiKey, baseUrl: openai.baseUrl },
      request,
      ...extra,
    });

  beforeAll(async () => {
    openai = await startFakeLlm({ flavor: 'openai' });
    anthropic = await startFakeLlm({ flavor: 'anthropic' });
  });
  afterAll(async () => {
    await openai.close();
    await anthropic.close();
  });
  beforeEach(() => {
    openai.configure({ latencyMs: 0, tokenDelayMs: 0 });
    anthropic.configure({ latencyMs: 0, tokenDelayMs: 0 });
  });

  it('times out a slow provider as a retryable 504', async () => {
    openai.configure({ latencyMs: 400 });
    const started = performance.now();
    const result = await viaOpenAI({ timeoutMs: 100 });
    expect(performance.now() - started).toBeLessThan(350);
    expect(result.ok ? null : result.error).toMatchObject({ kind: 'timeout', status: 504, retryable: true });
  });

  it('fails a stream that stalls before its first token as a retryable timeout (nothing sent yet)', async () => {
    openai.configure({ tokenDelayMs: 400 });
    const result = await viaOpenAI({ request: { ...request, stream: true }, idleTimeoutMs: 100 });
    expect(result.ok ? null : result.error).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('reports an unreachable provider as a retryable connect error', async () => {
    const port = await freePort();
    const result = await viaOpenAI({ credential: { apiKey: 'k', baseUrl: `http://127.0.0.1:${port}/v1` } });
    expect(result.ok ? null : result.error).toMatchObject({ kind: 'connect', status: 502, retryable: true });
    expect(result.ok ? '' : result.error.body.error.message).toContain('ECONNREFUSED');
  });

  it("reports the caller's abort as a cancelled, non-retryable call", async () => {
    openai.configure({ latencyMs: 300 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await viaOpenAI({ signal: controller.signal });
    expect(result.ok ? null : result.error).toMatchObject({ kind: 'aborted', status: 499, retryable: false });
  });

  it('reports an unknown provider id without throwing', async () => {
    const result = await callProvider({ provider: 'nope', model: 'm', credential: { apiKey: 'k' }, request });
    expect(result.ok ? null : result.error).toMatchObject({ kind: 'unsupported', retryable: false });
  });

  it('ends a stream broken by an in-stream error with a typed error and partial usage', async () => {
    openai.failStream({ afterEvents: 4, mode: 'error_event' });
    const result = await viaOpenAI({ request: { ...request, stream: true } });
    if (!result.ok || result.value.kind !== 'stream') throw new Error('expected an open stream');
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of result.value.stream.chunks) chunks.push(chunk);
    const final = await result.value.stream.final;
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the');
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(final.error).toMatchObject({
      kind: 'upstream',
      retryable: true,
      body: { error: { type: 'server_error' } },
    });
    expect(final.usage).toMatchObject({ estimated: true });
    expect(final.usage.completionTokens).toBeGreaterThan(0);
  });

  it('ends a stream whose connection drops with stream_interrupted', async () => {
    openai.failStream({ afterEvents: 3, mode: 'drop' });
    const result = await viaOpenAI({ request: { ...request, stream: true } });
    if (!result.ok || result.value.kind !== 'stream') throw new Error('expected an open stream');
    for await (const _ of result.value.stream.chunks) {
      // drain
    }
    expect((await result.value.stream.final).error).toMatchObject({
      kind: 'stream_interrupted',
      retryable: true,
    });
  });

  it('treats an error event before the first token as a failed call the gateway can still fall back from', async () => {
    anthropic.failStream({ afterEvents: 1, mode: 'error_event' });
    const result = await callProvider({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      credential: { apiKey: anthropic.apiKey, baseUrl: anthropic.baseUrl },
      request: { ...request, stream: true },
    });
    expect(result.ok ? null : result.error).toMatchObject({ kind: 'upstream', status: 503, retryable: true });
  });

  it('cancels the upstream when the consumer stops reading', async () => {
    openai.configure({ tokenDelayMs: 20 });
    const result = await viaOpenAI({ request: { ...request, stream: true } });
    if (!result.ok || result.value.kind !== 'stream') throw new Error('expected an open stream');
    let seen = 0;
    for await (const _ of result.value.stream.chunks) {
      if (++seen === 2) break;
    }
    const final = await result.value.stream.final;
    expect(final.error).toMatchObject({ kind: 'aborted', retryable: false });
    expect(final.durationMs).toBeLessThan(200);
  });

  it('sends through the dispatcher it is given', async () => {
    const agent = new Agent();
    const origins: string[] = [];
    const dispatcher = agent.compose(
      (dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] =>
        (options, handler) => {
          origins.push(String(options.origin));
          return dispatch(options, handler);
        },
    );
    const result = await viaOpenAI({ dispatcher });
    expect(
      result.ok && result.value.kind === 'completion' && result.value.completion.choices[0]?.message.content,
    ).toBe(DEFAULT_REPLY);
    expect(origins).toEqual([openai.origin]);
    await agent.close();
  });
});
