import { describe, expect, it } from 'vitest';
import { CREDENTIALS_REJECTED, ProviderAuthError, UnsupportedRequestError } from '../../errors.ts';
import type { ChatCompletionRequest } from '../../types.ts';
import { bedrock } from './index.ts';

const credential = {
  apiKey: 'AKIAEXAMPLE000000001:secretExampleKey/0123456789abcdef',
  headers: { 'aws-region': 'eu-central-1' },
};

function build(request: Partial<ChatCompletionRequest>, model = 'anthropic.claude-3-5-haiku-20241022-v1:0') {
  const spec = bedrock.buildRequest(
    { model: 'x', messages: [{ role: 'user', content: 'hi' }], ...request },
    model,
    credential,
  );
  return { spec, body: JSON.parse(spec.body ?? '') };
}

describe('Bedrock requests', () => {
  it('calls converse or converse-stream on the region host, with the model id as one encoded segment', () => {
    expect(build({}).spec.url).toBe(
      'https://bedrock-runtime.eu-central-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse',
    );
    const arn = 'arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-v2';
    const streamed = build({ stream: true }, arn).spec;
    expect(streamed.url).toBe(
      'https://bedrock-runtime.eu-central-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3Ainference-profile%2Feu.anthropic.claude-v2/converse-stream',
    );
    expect(streamed.headers.accept).toBe('application/vnd.amazon.eventstream');
    // the region is a setting, not a header; nothing is signed yet
    expect(streamed.headers['aws-region']).toBeUndefined();
    expect(streamed.headers.authorization).toBeUndefined();
  });

  it('forwards extra headers but none that the signature owns', () => {
    const spec = bedrock.buildRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, 'm', {
      ...credential,
      headers: {
        ...credential.headers,
        'X-Team': 'ml',
        Host: 'internal.example',
        'X-Amz-Date': '20200101T000000Z',
        'X-Amz-Security-Token': 'stale',
      },
    });
    expect(spec.headers).toEqual({
      'x-team': 'ml',
      'content-type': 'application/json',
      accept: 'application/json',
    });
  });

  it('takes an endpoint override, and the region from an AWS endpoint when none is named', () => {
    const vpce = 'https://vpce-0a1b-xyz.bedrock-runtime.ap-southeast-2.vpce.amazonaws.com/';
    const spec = bedrock.buildRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, 'm', {
      apiKey: credential.apiKey,
      baseUrl: vpce,
    });
    expect(spec.url).toBe(`${vpce}model/m/converse`);
    expect(() =>
      bedrock.buildRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, 'm', {
        apiKey: credential.apiKey,
      }),
    ).toThrow(ProviderAuthError);
    expect(() =>
      bedrock.buildRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, 'm', {
        apiKey: credential.apiKey,
        headers: { 'aws-region': 'evil.example.com/#' },
      }),
    ).toThrow(/not an AWS region/);
  });

  it('maps system, images as bytes, tool calls and tool results, merging same-role turns', () => {
    const { body } = build({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'tu_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            { id: 'tu_2', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'tu_1', content: '{"temp":22}' },
        { role: 'tool', tool_call_id: 'tu_2', content: 'noon' },
        { role: 'user', content: 'And now?' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } },
        },
        { type: 'function', function: { name: 'get_time' } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      max_tokens: 300,
      temperature: 1.5,
      top_p: 0.9,
      stop: 'END',
    });
    expect(body.system).toEqual([{ text: 'Be brief.' }, { text: 'Use metric units.' }]);
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [{ text: 'Look:' }, { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } }],
      },
      {
        role: 'assistant',
        content: [
          { toolUse: { toolUseId: 'tu_1', name: 'get_weather', input: { city: 'Paris' } } },
          { toolUse: { toolUseId: 'tu_2', name: 'get_time', input: {} } },
        ],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'tu_1', content: [{ text: '{"temp":22}' }] } },
          { toolResult: { toolUseId: 'tu_2', content: [{ text: 'noon' }] } },
          { text: 'And now?' },
        ],
      },
    ]);
    expect(body.inferenceConfig).toEqual({
      maxTokens: 300,
      temperature: 1,
      topP: 0.9,
      stopSequences: ['END'],
    });
    expect(body.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: 'get_weather',
            description: 'Weather',
            inputSchema: { json: { type: 'object' } },
          },
        },
        { toolSpec: { name: 'get_time', inputSchema: { json: { type: 'object', properties: {} } } } },
      ],
      toolChoice: { tool: { name: 'get_weather' } },
    });
    expect(Object.keys(body).sort()).toEqual(['inferenceConfig', 'messages', 'system', 'toolConfig']);
  });

  it('maps tool_choice auto/required, and none by leaving the tools out', () => {
    const tools = [{ type: 'function' as const, function: { name: 'f' } }];
    expect(build({ tools, tool_choice: 'auto' }).body.toolConfig.toolChoice).toEqual({ auto: {} });
    expect(build({ tools, tool_choice: 'required' }).body.toolConfig.toolChoice).toEqual({ any: {} });
    expect(build({ tools, tool_choice: 'none' }).body.toolConfig).toBeUndefined();
  });

  it('refuses what Converse cannot express with a 400-type error naming the parameter', () => {
    const refusals: [Partial<ChatCompletionRequest>, string][] = [
      [{ n: 2 }, 'n'],
      [{ response_format: { type: 'json_object' } }, 'response_format'],
      [
        {
          messages: [
            {
              role: 'user',
              content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }],
            },
          ],
        },
        'messages',
      ],
      [
        {
          messages: [
            {
              role: 'user',
              content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }],
            },
          ],
        },
        'messages',
      ],
      [
        {
          messages: [
            { role: 'user', content: 'hi' },
            {
              role: 'assistant',
              tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }],
            },
            { role: 'tool', tool_call_id: 't', content: 'x' },
          ],
          tools: [{ type: 'function', function: { name: 'f' } }],
          tool_choice: 'none',
        },
        'tool_choice',
      ],
    ];
    for (const [request, param] of refusals) {
      let thrown: unknown;
      try {
        build(request);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, param).toBeInstanceOf(UnsupportedRequestError);
      expect((thrown as UnsupportedRequestError).param).toBe(param);
    }
  });
});

describe('Bedrock answers', () => {
  it('parses text and tool use with usage (cache reads and writes inside prompt_tokens)', () => {
    const completion = bedrock.parseResponse(
      {
        output: {
          message: {
            role: 'assistant',
            content: [
              { text: 'Let me check.' },
              { toolUse: { toolUseId: 'tu_9', name: 'get_weather', input: { city: 'Oslo' } } },
            ],
          },
        },
        stopReason: 'tool_use',
        usage: {
          inputTokens: 10,
          outputTokens: 7,
          totalTokens: 37,
          cacheReadInputTokens: 15,
          cacheWriteInputTokens: 5,
        },
        metrics: { latencyMs: 300 },
      },
      'm',
    );
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [
          { id: 'tu_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 30,
      completion_tokens: 7,
      total_tokens: 37,
      prompt_tokens_details: { cached_tokens: 15 },
    });
  });

  it('maps stop reasons, with the matched stop sequence when the model names it', () => {
    const answer = (stopReason: string, extra: Record<string, unknown> = {}) =>
      bedrock.parseResponse(
        { output: { message: { role: 'assistant', content: [{ text: 'x' }] } }, stopReason, ...extra },
        'm',
      ).choices[0];
    expect(answer('end_turn')?.finish_reason).toBe('stop');
    expect(answer('max_tokens')?.finish_reason).toBe('length');
    expect(answer('guardrail_intervened')?.finish_reason).toBe('content_filter');
    expect(answer('content_filtered')?.finish_reason).toBe('content_filter');
    expect(
      answer('stop_sequence', { additionalModelResponseFields: { stop_sequence: 'END' } }),
    ).toMatchObject({
      finish_reason: 'stop',
      stop_sequence: 'END',
    });
    expect(() => bedrock.parseResponse({ output: {} }, 'm')).toThrow(/no output message/);
  });

  it('maps Bedrock exceptions: throttling and outages retryable, bad requests not, auth as rejected credentials', () => {
    const map = (status: number, type: string, message = 'boom') =>
      bedrock.mapError(status, JSON.stringify({ message }), {
        'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      });
    expect(map(429, 'ThrottlingException')).toMatchObject({ status: 429, retryable: true });
    expect(map(400, 'ValidationException', 'bad field')).toMatchObject({
      status: 400,
      retryable: false,
      body: { error: { message: 'bad field', type: 'invalid_request_error' } },
    });
    for (const type of [
      'AccessDeniedException',
      'UnrecognizedClientException',
      'InvalidSignatureException',
    ]) {
      const mapped = map(403, type, 'The request signature we calculated does not match AKIAEXAMPLE');
      expect(mapped.status).toBe(502);
      expect(mapped.body.error.code).toBe(CREDENTIALS_REJECTED);
      expect(mapped.body.error.message).not.toContain('AKIA');
    }
    expect(map(429, 'ModelNotReadyException')).toMatchObject({
      status: 503,
      retryable: true,
      body: { error: { code: 'model_not_ready' } },
    });
    expect(map(500, 'InternalServerException')).toMatchObject({ status: 500, retryable: true });
    expect(map(503, 'ServiceUnavailableException')).toMatchObject({ status: 503, retryable: true });
    expect(map(424, 'ModelErrorException')).toMatchObject({ status: 502, retryable: true });
    expect(map(404, 'ResourceNotFoundException')).toMatchObject({ status: 404, retryable: false });
    // the exception named in the body instead (`__type`), and "Message" spelled the AWS way
    const fromBody = bedrock.mapError(
      429,
      JSON.stringify({ __type: 'com.amazon.coral#ThrottlingException', Message: 'slow down' }),
      {},
    );
    expect(fromBody).toMatchObject({
      status: 429,
      retryable: true,
      body: { error: { message: 'slow down' } },
    });
  });
});
