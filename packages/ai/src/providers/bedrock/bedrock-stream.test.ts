import { describe, expect, it } from 'vitest';
import { eventFrame, exceptionFrame } from '../../../../../test/fakes/llm/bedrock.ts';
import { verifySigV4 } from '../../../../../test/fakes/llm/sigv4.ts';
import { ResponseTooLargeError } from '../../errors.ts';
import { MAX_STREAM_EVENT_BYTES, type SseEvent } from '../../sse.ts';
import type { ChatCompletionChunk } from '../../types.ts';
import { parseAwsKeys } from './credential.ts';
import { EventStreamDecoder } from './eventstream.ts';
import { bedrock } from './index.ts';
import { signBedrockRequest } from './sign.ts';

/** Feeds the frames as one byte stream cut into `size`-byte network chunks; returns chunks and translator. */
function run(frames: Uint8Array[], size: number) {
  const chunks: ChatCompletionChunk[] = [];
  const translator = bedrock.createStreamTranslator('m', (chunk) => chunks.push(chunk));
  const decoder = new EventStreamDecoder((event) => translator.push(event));
  const bytes = Buffer.concat(frames);
  for (let at = 0; at < bytes.length; at += size) decoder.pushBytes(bytes.subarray(at, at + size));
  decoder.end();
  translator.end();
  return { chunks, translator };
}

const TEXT_STREAM = [
  eventFrame('messageStart', { role: 'assistant' }),
  eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hello' } }),
  eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' there' } }),
  eventFrame('contentBlockStop', { contentBlockIndex: 0 }),
  eventFrame('messageStop', { stopReason: 'end_turn' }),
  eventFrame('metadata', {
    usage: { inputTokens: 4, outputTokens: 2, totalTokens: 6 },
    metrics: { latencyMs: 9 },
  }),
];

describe('Bedrock event streams', () => {
  it('decodes frames split anywhere and translates text, the finish and the usage', () => {
    for (const size of [1, 7, 64, 100_000]) {
      const { chunks, translator } = run(TEXT_STREAM, size);
      expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([
        { role: 'assistant', content: '' },
        { content: 'Hello' },
        { content: ' there' },
        {},
        null,
      ]);
      expect(chunks[3]?.choices[0]?.finish_reason).toBe('stop');
      expect(chunks[4]?.usage).toEqual({ prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 });
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      expect(translator.done).toBe(true);
      expect(translator.usage?.total_tokens).toBe(6);
    }
  });

  it('numbers tool calls in order and streams their JSON input', () => {
    const { chunks } = run(
      [
        eventFrame('messageStart', { role: 'assistant' }),
        eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Checking.' } }),
        eventFrame('contentBlockStart', {
          contentBlockIndex: 1,
          start: { toolUse: { toolUseId: 'tu_1', name: 'get_weather' } },
        }),
        eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } }),
        eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '"Oslo"}' } } }),
        eventFrame('contentBlockStop', { contentBlockIndex: 1 }),
        eventFrame('messageStop', { stopReason: 'tool_use' }),
        eventFrame('metadata', { usage: { inputTokens: 4, outputTokens: 9, totalTokens: 13 } }),
      ],
      13,
    );
    const toolDeltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(toolDeltas).toEqual([
      { index: 0, id: 'tu_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 0, function: { arguments: '{"city":' } },
      { index: 0, function: { arguments: '"Oslo"}' } },
    ]);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('fails the stream on an exception message, retryable for throttling', () => {
    const { chunks, translator } = run(
      [
        eventFrame('messageStart', { role: 'assistant' }),
        exceptionFrame('throttlingException', 'Too many requests, please wait before trying again.'),
        eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'late' } }),
      ],
      50,
    );
    expect(chunks).toHaveLength(1);
    expect(translator.error).toMatchObject({
      status: 429,
      retryable: true,
      body: { error: { message: 'Too many requests, please wait before trying again.' } },
    });
    const validation = run([exceptionFrame('validationException', 'bad input')], 50).translator.error;
    expect(validation).toMatchObject({ status: 400, retryable: false });
  });

  it('rejects corrupt frames, impossible lengths and a body that ends inside a frame', () => {
    const events: SseEvent[] = [];
    const corrupt = Buffer.from(eventFrame('messageStart', { role: 'assistant' }));
    corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] ?? 0) ^ 0xff;
    expect(() => new EventStreamDecoder((e) => events.push(e)).pushBytes(corrupt)).toThrow(/checksum/);
    const tiny = Buffer.alloc(16);
    tiny.writeUInt32BE(8, 0);
    expect(() => new EventStreamDecoder((e) => events.push(e)).pushBytes(tiny)).toThrow(/out of range/);
    const cut = new EventStreamDecoder((e) => events.push(e));
    cut.pushBytes(eventFrame('messageStart', { role: 'assistant' }).subarray(0, 20));
    expect(() => cut.end()).toThrow(/ended inside a message/);
    expect(events).toEqual([]);
  });
});

describe('Bedrock signing', () => {
  const keys = { accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: 'secretExampleKey/0123456789abcdef' };
  const credential = (apiKey: string) => ({
    apiKey,
    baseUrl: 'http://127.0.0.1:8123',
    headers: { 'aws-region': 'us-west-2', 'X-Team': 'ml' },
  });

  /** What the fake's server would capture for the signed request. */
  async function signedCapture(apiKey: string) {
    const spec = bedrock.buildRequest(
      { model: 'x', messages: [{ role: 'user', content: 'Grüße' }] },
      'anthropic.claude-v2:1',
      credential(apiKey),
    );
    const signed = await signBedrockRequest(spec, credential(apiKey));
    const url = new URL(signed.url);
    return {
      signed,
      capture: {
        method: signed.method,
        path: url.pathname,
        query: {},
        headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v])),
        body: null,
        rawBody: signed.body ?? '',
        rawBytes: Buffer.from(signed.body ?? ''),
      },
    };
  }

  it('signs with SigV4 for bedrock in the credential region, as an independent verifier recomputes it', async () => {
    const { signed, capture } = await signedCapture(`${keys.accessKeyId}:${keys.secretAccessKey}`);
    expect(signed.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE000000001\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=[^,]*host[^,]*x-team[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(verifySigV4(capture, keys, { region: 'us-west-2', service: 'bedrock' })).toEqual({ ok: true });
    expect(
      verifySigV4(
        capture,
        { ...keys, secretAccessKey: 'another' },
        { region: 'us-west-2', service: 'bedrock' },
      ),
    ).toMatchObject({
      ok: false,
      exception: 'InvalidSignatureException',
    });
    // a body changed after signing no longer matches
    expect(
      verifySigV4({ ...capture, rawBody: `${capture.rawBody} ` }, keys, {
        region: 'us-west-2',
        service: 'bedrock',
      }).ok,
    ).toBe(false);
  });

  it('sends and signs the session token of temporary credentials (JSON secret form)', async () => {
    const sessionToken = 'FwoGZXIvYXdzEJr//////////wEaDN0tb2tlbj0=';
    const { signed, capture } = await signedCapture(JSON.stringify({ ...keys, sessionToken }));
    expect(signed.headers['x-amz-security-token']).toBe(sessionToken);
    expect(
      verifySigV4(capture, { ...keys, sessionToken }, { region: 'us-west-2', service: 'bedrock' }),
    ).toEqual({ ok: true });
  });

  it('reads both secret forms and says what is wrong with a bad one, quoting none of it', () => {
    expect(parseAwsKeys(`${keys.accessKeyId}:${keys.secretAccessKey}`)).toEqual(keys);
    expect(parseAwsKeys(` ${JSON.stringify(keys)} `)).toEqual(keys);
    const bad = [
      'sk-not-aws',
      `${keys.accessKeyId}`,
      `lowercase-key-id-00:${keys.secretAccessKey}`,
      `${keys.accessKeyId}:short`,
      `${keys.accessKeyId}:${keys.secretAccessKey}:tok en`,
      '{"accessKeyId": 5}',
      '{not json',
    ];
    for (const secret of bad) {
      const parsed = parseAwsKeys(secret);
      expect('error' in parsed, secret).toBe(true);
      expect((parsed as { error: string }).error).not.toContain(keys.secretAccessKey);
    }
  });

  it('refuses a message longer than one stream event may be from its prelude, before buffering it', () => {
    const events: SseEvent[] = [];
    const decoder = new EventStreamDecoder((e) => events.push(e));
    decoder.pushBytes(eventFrame('messageStart', { role: 'assistant' }));
    const prelude = Buffer.alloc(12);
    prelude.writeUInt32BE(2 * 1024 * 1024, 0);
    expect(() => decoder.pushBytes(prelude)).toThrow(ResponseTooLargeError);
    expect(events).toHaveLength(1);
    // just under the bound is still waited for
    const fits = new EventStreamDecoder((e) => events.push(e));
    const near = Buffer.alloc(12);
    near.writeUInt32BE(MAX_STREAM_EVENT_BYTES, 0);
    expect(() => fits.pushBytes(near)).not.toThrow();
  });
});
