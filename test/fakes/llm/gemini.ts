import {
  type ConversationView,
  completionTokens,
  countWords,
  fakeEmbedding,
  isObject,
  planReply,
  type ReplyPlan,
  randomToken,
  splitTokens,
} from './script.ts';
import type { Flavor, FlavorContext } from './server.ts';

/*
 * Google's Gemini API (v1beta): `models/{model}:generateContent`, `:streamGenerateContent?alt=sse` (SSE
 * frames separated by CRLF CRLF, each a whole GenerateContentResponse, no end marker), batchEmbedContents,
 * API key in `x-goog-api-key` or `?key=`, errors as {error:{code, message, status, details}} with the
 * retry delay in a RetryInfo detail instead of a Retry-After header.
 */

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const partsOf = (content: unknown): Record<string, unknown>[] =>
  isObject(content) && Array.isArray(content.parts) ? content.parts.filter(isObject) : [];

/** What a tool returned, as the fake quotes it back: the wrapped plain-text result, or the JSON. */
function resultText(response: unknown): string {
  if (isObject(response) && Object.keys(response).length === 1 && typeof response.result === 'string') {
    return response.result;
  }
  return JSON.stringify(response);
}

function conversation(body: Record<string, unknown>): ConversationView {
  const contents = Array.isArray(body.contents) ? body.contents.filter(isObject) : [];
  const promptText: string[] = partsOf(body.systemInstruction).map((part) => String(part.text ?? ''));
  for (const content of contents) {
    for (const part of partsOf(content)) {
      if (typeof part.text === 'string') promptText.push(part.text);
      if (isObject(part.functionResponse)) promptText.push(resultText(part.functionResponse.response));
    }
  }
  const last = contents[contents.length - 1];
  const toolResults = partsOf(last)
    .filter((part) => isObject(part.functionResponse))
    .map((part) => resultText((part.functionResponse as Record<string, unknown>).response));
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  const names = tools.flatMap((tool) =>
    Array.isArray(tool.functionDeclarations)
      ? tool.functionDeclarations.filter(isObject).map((d) => String(d.name))
      : [],
  );
  const config =
    isObject(body.toolConfig) && isObject(body.toolConfig.functionCallingConfig)
      ? body.toolConfig.functionCallingConfig
      : {};
  const allowed = Array.isArray(config.allowedFunctionNames) ? config.allowedFunctionNames : [];
  return {
    promptText,
    toolNames: names,
    forcedTool: config.mode === 'ANY' && typeof allowed[0] === 'string' ? allowed[0] : null,
    toolsDisabled: config.mode === 'NONE',
    toolResults,
    stopSequences:
      isObject(body.generationConfig) && Array.isArray(body.generationConfig.stopSequences)
        ? body.generationConfig.stopSequences.map(String)
        : [],
  };
}

function validationError(body: Record<string, unknown>): string | null {
  if (!Array.isArray(body.contents) || body.contents.length === 0)
    return '* GenerateContentRequest.contents: contents is not specified';
  const called = new Set<string>();
  for (const [index, content] of body.contents.entries()) {
    if (
      !isObject(content) ||
      (content.role !== 'user' && content.role !== 'model' && content.role !== 'function')
    ) {
      return `* GenerateContentRequest.contents[${index}].role: Please use a valid role: user, model.`;
    }
    for (const part of partsOf(content)) {
      if (isObject(part.functionCall)) called.add(String(part.functionCall.name));
      if (isObject(part.functionResponse) && !called.has(String(part.functionResponse.name))) {
        return `* GenerateContentRequest.contents[${index}].parts: function response for '${String(part.functionResponse.name)}' has no matching function call`;
      }
    }
  }
  return null;
}

function usageMetadata(prompt: number, completion: number) {
  return { promptTokenCount: prompt, candidatesTokenCount: completion, totalTokenCount: prompt + completion };
}

function partsFor(plan: ReplyPlan): Record<string, unknown>[] {
  return plan.kind === 'text'
    ? [{ text: plan.text }]
    : plan.calls.map((call) => ({ functionCall: { name: call.name, args: call.arguments } }));
}

function generate(context: FlavorContext, body: Record<string, unknown>, model: string, stream: boolean) {
  const problem = validationError(body);
  if (problem) {
    context.sendError(400, problem);
    return;
  }
  const view = conversation(body);
  const plan = planReply(view, context.settings, () => randomToken());
  const prompt = countWords(view.promptText);
  const completion = completionTokens(plan);
  const responseId = randomToken(16);
  const omit = context.settings.omitUsage;
  const response = (
    parts: Record<string, unknown>[],
    final: boolean,
    usage: Record<string, number> | null,
  ) => ({
    candidates: [{ content: { parts, role: 'model' }, ...(final ? { finishReason: 'STOP' } : {}), index: 0 }],
    ...(usage && !omit ? { usageMetadata: usage } : {}),
    modelVersion: `${model}${context.settings.snapshotSuffix}`,
    responseId,
  });
  if (!stream) {
    context.sendJson(200, response(partsFor(plan), true, usageMetadata(prompt, completion)));
    return;
  }
  const pieces: Record<string, unknown>[][] =
    plan.kind === 'text' ? splitTokens(plan.text).map((token) => [{ text: token }]) : [partsFor(plan)];
  const objects = pieces.map((parts, index) => {
    const final = index === pieces.length - 1;
    return response(
      parts,
      final,
      final ? usageMetadata(prompt, completion) : { promptTokenCount: prompt, totalTokenCount: prompt },
    );
  });
  if (context.request.query.alt !== 'sse') {
    // Without alt=sse the stream is one JSON array written piece by piece.
    context.sendJson(200, objects);
    return;
  }
  return context.stream(objects.map((object) => `data: ${JSON.stringify(object)}\r\n\r\n`));
}

function embed(context: FlavorContext, body: Record<string, unknown>, model: string, batch: boolean): void {
  const requests = batch ? (Array.isArray(body.requests) ? body.requests.filter(isObject) : []) : [body];
  if (requests.length === 0) {
    context.sendError(400, '* BatchEmbedContentsRequest.requests: requests is not specified');
    return;
  }
  const embeddings = requests.map((request) => {
    const text = partsOf(request.content)
      .map((part) => String(part.text ?? ''))
      .join('');
    const dimensions =
      typeof request.outputDimensionality === 'number'
        ? request.outputDimensionality
        : context.settings.embeddingDimensions;
    if (batch && request.model !== `models/${model}`)
      throw new Error(`batch request for ${String(request.model)} on ${model}`);
    return { values: fakeEmbedding(text, dimensions) };
  });
  context.sendJson(200, batch ? { embeddings } : { embedding: embeddings[0] });
}

export const geminiFlavor: Flavor = {
  baseUrl: (origin) => origin,
  authorized: (request, apiKey) =>
    request.headers['x-goog-api-key'] === apiKey || request.query.key === apiKey,
  // Google answers an unknown API key with 400 INVALID_ARGUMENT, the reason in an ErrorInfo detail.
  authFailure: () => ({
    status: 400,
    body: {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
            metadata: { service: 'generativelanguage.googleapis.com' },
          },
          {
            '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
            locale: 'en-US',
            message: 'API key not valid. Please pass a valid API key.',
          },
        ],
      },
    },
  }),
  retryAfterInHeader: false,
  errorBody: (status, message, retryAfterSeconds) => ({
    error: {
      code: status,
      message,
      status: STATUS_NAMES[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'),
      ...(retryAfterSeconds === undefined
        ? {}
        : {
            details: [
              { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterSeconds}s` },
            ],
          }),
    },
  }),
  streamErrorFrame: () =>
    `data: ${JSON.stringify({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } })}\r\n\r\n`,
  route(context) {
    const { request } = context;
    const body = isObject(request.body) ? request.body : {};
    if (request.method === 'GET' && request.path === '/v1beta/models') {
      const ids =
        context.settings.models.length > 0
          ? context.settings.models
          : ['gemini-2.0-flash', 'text-embedding-004'];
      context.sendJson(200, {
        models: ids.map((id) => ({
          name: `models/${id}`,
          displayName: id,
          supportedGenerationMethods: ['generateContent'],
        })),
      });
      return;
    }
    const match = /^\/v1beta\/models\/([^/:]+):(\w+)$/.exec(request.path);
    if (request.method === 'POST' && match) {
      const model = decodeURIComponent(match[1] ?? '');
      switch (match[2]) {
        case 'generateContent':
          return generate(context, body, model, false);
        case 'streamGenerateContent':
          return generate(context, body, model, true);
        case 'embedContent':
          return embed(context, body, model, false);
        case 'batchEmbedContents':
          return embed(context, body, model, true);
      }
    }
    context.sendError(404, `Method not found: ${request.method} ${request.path}`);
  },
};
