import { describe, expect, it } from 'vitest';
import { UnsupportedRequestError } from '../../errors.ts';
import { parseSseText } from '../../sse.ts';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../types.ts';
import { gemini } from './index.ts';

const credential = { apiKey: 'g-key' };

function build(request: Partial<ChatCompletionRequest>, model = 'gemini-2.0-flash') {
  const spec = gemini.buildRequest(
    { model: 'x', messages: [{ role: 'user', content: 'hi' }], ...request },
    model,
    credential,
  );
  return { spec, body: JSON.parse(spec.body ?? '') };
}

describe('Gemini requests', () => {
  it('calls generateContent, or streamGenerateContent with alt=sse, with the key in x-goog-api-key', () => {
    expect(build({}).spec.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent',
    );
    const streamed = build({ stream: true }, 'models/gemini-2.5-pro').spec;
    expect(streamed.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
    );
    expect(streamed.headers['x-goog-api-key']).toBe('g-key');
    expect(streamed.headers.authorization).toBeUndefined();
  });

  it('maps messages to contents, naming tool results by the function that was called', () => {
    const { body } = build({
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":22}' },
        { role: 'tool', tool_call_id: 'call_2', content: 'noon' },
      ],
    });
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Look:' }, { inlineData: { mimeType: 'image/jpeg', data: '/9j/' } }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { name: 'get_time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temp: 22 } } },
          { functionResponse: { name: 'get_time', response: { result: 'noon' } } },
        ],
      },
    ]);
  });

  it('maps generation settings, JSON mode, tools (schemas made Gemini-safe) and tool choice', () => {
    const { body } = build({
      max_tokens: 64,
      temperature: 0.3,
      top_p: 0.8,
      n: 2,
      seed: 9,
      stop: ['END'],
      response_format: { type: 'json_object' },
      tools: [
        {
          type: 'function',
          function: {
            name: 'lookup',
            parameters: {
              $schema: 'http://json-schema.org/draft-07/schema#',
              type: 'object',
              additionalProperties: false,
              properties: {
                additionalProperties: { type: 'string' },
                q: { type: 'object', additionalProperties: false },
              },
            },
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
    });
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 64,
      temperature: 0.3,
      topP: 0.8,
      candidateCount: 2,
      seed: 9,
      stopSequences: ['END'],
      responseMimeType: 'application/json',
    });
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'lookup',
            parameters: {
              type: 'object',
              properties: { additionalProperties: { type: 'string' }, q: { type: 'object' } },
            },
          },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['lookup'] },
    });
  });

  it('batches embeddings and refuses token-array input', () => {
    const spec = gemini.buildEmbeddingsRequest?.(
      { model: 'e', input: ['a', 'b'], dimensions: 3 },
      'text-embedding-004',
      credential,
    );
    expect(spec?.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents',
    );
    expect(JSON.parse(spec?.body ?? '')).toEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, outputDimensionality: 3 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] }, outputDimensionality: 3 },
      ],
    });
    expect(() => gemini.buildEmbeddingsRequest?.({ model: 'e', input: [[1, 2]] }, 'm', credential)).toThrow(
      UnsupportedRequestError,
    );
  });
});

describe('Gemini responses', () => {
  it('translates candidates, function calls, finish reasons and usage (thinking counts as output)', () => {
    const completion = gemini.parseResponse(
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { text: 'thinking...', thought: true },
                { text: 'Calling.' },
                { functionCall: { name: 'f', args: { a: 1 } } },
              ],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: {
          promptTokenCount: 5,
          candidatesTokenCount: 4,
          thoughtsTokenCount: 6,
          totalTokenCount: 15,
        },
        modelVersion: 'gemini-2.0-flash-001',
        responseId: 'resp-1',
      },
      'gemini',
    );
    expect(completion).toMatchObject({
      id: 'resp-1',
      model: 'gemini-2.0-flash-001',
      usage: { prompt_tokens: 5, completion_tokens: 10, total_tokens: 15 },
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBe('Calling.');
    expect(choice?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'f', arguments: '{"a":1}' },
    });
    expect(choice?.message.tool_calls?.[0]?.id).toMatch(/^call_/);
    const cut = gemini.parseResponse(
      { candidates: [{ content: { parts: [{ text: 'a' }] }, finishReason: 'MAX_TOKENS' }] },
      'g',
    );
    expect(cut.choices[0]?.finish_reason).toBe('length');
    const blocked = gemini.parseResponse({ promptFeedback: { blockReason: 'SAFETY' } }, 'g');
    expect(blocked.choices[0]).toMatchObject({ finish_reason: 'content_filter', message: { content: '' } });
  });

  it('maps 429 with its RetryInfo delay as retryable, 400 as final', () => {
    const limited = gemini.mapError(
      429,
      JSON.stringify({
        error: {
          code: 429,
          message: 'Resource has been exhausted (e.g. check quota).',
          status: 'RESOURCE_EXHAUSTED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' }],
        },
      }),
      {},
    );
    expect(limited).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 37_000,
      body: {
        error: { type: 'rate_limit_error', message: 'Resource has been exhausted (e.g. check quota).' },
      },
    });
    const bad = gemini.mapError(
      400,
      '[{"error":{"code":400,"message":"Invalid JSON payload","status":"INVALID_ARGUMENT"}}]',
      {},
    );
    expect(bad).toMatchObject({
      status: 400,
      retryable: false,
      body: { error: { message: 'Invalid JSON payload', type: 'invalid_request_error' } },
    });
  });

  it("takes Google's 400 API_KEY_INVALID for what it is: the gateway's credential refused", () => {
    const body = JSON.stringify({
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
      },
    });
    expect(gemini.mapError(400, body, {})).toMatchObject({
      status: 502,
      retryable: false,
      body: { error: { code: 'upstream_credentials_rejected', type: 'server_error' } },
    });
    const invalidArgument = JSON.stringify({
      error: { code: 400, message: 'Invalid JSON payload', status: 'INVALID_ARGUMENT' },
    });
    expect(gemini.mapError(400, invalidArgument, {}).status).toBe(400);
  });

  it('reads embeddings and model lists', () => {
    expect(
      gemini.parseEmbeddingsResponse?.({ embeddings: [{ values: [0.1, 0.2] }, { values: [0.3, 0.4] }] }, 'e'),
    ).toEqual({
      vectors: [
        [0.1, 0.2],
        [0.3, 0.4],
      ],
      promptTokens: null,
      model: 'e',
    });
    expect(gemini.parseModelsResponse?.({ models: [{ name: 'models/gemini-2.0-flash' }] }).data[0]?.id).toBe(
      'gemini-2.0-flash',
    );
  });
});

describe('Gemini stream translation', () => {
  const frame = (json: unknown) => `data: ${JSON.stringify(json)}\r\n\r\n`;

  it('emits text slices, whole function calls, the finish, and usage at the end of the body', () => {
    const sse =
      frame({
        candidates: [{ content: { role: 'model', parts: [{ text: 'Let' }] }, index: 0 }],
        usageMetadata: { promptTokenCount: 4 },
        responseId: 'r1',
        modelVersion: 'gemini-x',
      }) +
      frame({
        candidates: [{ content: { role: 'model', parts: [{ text: ' me' }] }, index: 0 }],
        usageMetadata: { promptTokenCount: 4 },
      }) +
      frame({
        candidates: [
          {
            content: { role: 'model', parts: [{ functionCall: { name: 'f', args: { q: 'x' } } }] },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 6, totalTokenCount: 10 },
      });
    const chunks: ChatCompletionChunk[] = [];
    const translator = gemini.createStreamTranslator('gemini', (chunk) => chunks.push(chunk));
    for (const e of parseSseText(sse)) translator.push(e);
    expect(chunks.some((c) => c.usage)).toBe(false);
    translator.end();
    expect(chunks.map((c) => c.choices[0]?.delta ?? 'usage')).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Let' },
      { content: ' me' },
      {
        tool_calls: [
          {
            index: 0,
            id: expect.stringMatching(/^call_/),
            type: 'function',
            function: { name: 'f', arguments: '{"q":"x"}' },
          },
        ],
      },
      {},
      'usage',
    ]);
    expect(chunks[4]?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 });
    expect(chunks.every((c) => c.id === 'r1' && c.model === 'gemini-x')).toBe(true);
  });

  it('turns an error object in the stream into a retryable error', () => {
    const translator = gemini.createStreamTranslator('g', () => undefined);
    for (const e of parseSseText(
      frame({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }),
    ))
      translator.push(e);
    expect(translator.error).toMatchObject({
      status: 503,
      retryable: true,
      body: { error: { message: 'The model is overloaded.' } },
    });
  });
});
