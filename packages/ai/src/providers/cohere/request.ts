import { UnsupportedRequestError } from '../../errors.ts';
import type { ChatCompletionRequest, ChatMessage, EmbeddingRequest, UserContentPart } from '../../types.ts';
import { authHeaders, contentText, resolveBaseUrl } from '../shared.ts';
import type { ProviderCredential, ProviderHttpRequest } from '../types.ts';

export const COHERE_BASE_URL = 'https://api.cohere.com';

type CohereMessage = Record<string, unknown>;

function userContent(content: string | readonly UserContentPart[]): string | Record<string, unknown>[] {
  if (typeof content === 'string') return content;
  return content.map((part) => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    if (part.type === 'image_url') return { type: 'image_url', image_url: { url: part.image_url.url } };
    throw new UnsupportedRequestError(`Cohere models do not accept '${part.type}' content.`, 'messages');
  });
}

function toCohereMessage(message: ChatMessage): CohereMessage {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: contentText(message.content) };
    case 'user':
      return { role: 'user', content: userContent(message.content) };
    case 'assistant': {
      const out: CohereMessage = { role: 'assistant' };
      const text = contentText(message.content);
      if (message.tool_calls?.length) {
        out.tool_calls = message.tool_calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.function.name, arguments: call.function.arguments },
        }));
        // Cohere keeps text beside tool calls as the "tool plan".
        if (text) out.tool_plan = text;
      } else out.content = text;
      return out;
    }
    case 'tool':
      return { role: 'tool', tool_call_id: message.tool_call_id, content: contentText(message.content) };
  }
}

/** OpenAI chat → Cohere Chat v2 (`POST /v2/chat`): much the same messages, its own parameter names. */
function toCohereBody(request: ChatCompletionRequest, model: string): Record<string, unknown> {
  if (request.n != null && request.n > 1) {
    throw new UnsupportedRequestError('Cohere models return one choice; n must be 1.', 'n');
  }
  const body: Record<string, unknown> = { model, messages: request.messages.map(toCohereMessage) };
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) body.max_tokens = maxTokens;
  if (request.temperature != null) body.temperature = request.temperature;
  // Cohere takes p in [0.01, 0.99]; 1 (no cut) and 0 (greedy) are the nearest it allows.
  if (request.top_p != null) body.p = Math.min(0.99, Math.max(0.01, request.top_p));
  if (request.seed != null) body.seed = request.seed;
  if (request.frequency_penalty != null) body.frequency_penalty = request.frequency_penalty;
  if (request.presence_penalty != null) body.presence_penalty = request.presence_penalty;
  if (request.stop != null)
    body.stop_sequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (request.stream) body.stream = true;
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.function.name,
        ...(tool.function.description ? { description: tool.function.description } : {}),
        parameters: tool.function.parameters ?? { type: 'object', properties: {} },
      },
    }));
    const choice = request.tool_choice;
    if (choice === 'required') body.tool_choice = 'REQUIRED';
    else if (choice === 'none') body.tool_choice = 'NONE';
    else if (typeof choice === 'object') {
      // Cohere cannot force one named tool; offering only that tool, required, is the same request.
      body.tools = (body.tools as { function: { name: string } }[]).filter(
        (tool) => tool.function.name === choice.function.name,
      );
      body.tool_choice = 'REQUIRED';
    }
  }
  const format = request.response_format;
  if (format?.type === 'json_object') body.response_format = { type: 'json_object' };
  else if (format?.type === 'json_schema') {
    body.response_format = {
      type: 'json_object',
      ...(format.json_schema.schema ? { json_schema: format.json_schema.schema } : {}),
    };
  }
  return body;
}

function cohereHeaders(credential: ProviderCredential): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    ...credential.headers,
    ...authHeaders('bearer', credential.apiKey),
  };
}

const cohereUrl = (credential: ProviderCredential, path: string) =>
  `${resolveBaseUrl(COHERE_BASE_URL, credential, 'Cohere')}${path}`;

export function buildCohereRequest(
  request: ChatCompletionRequest,
  model: string,
  credential: ProviderCredential,
): ProviderHttpRequest {
  const headers = cohereHeaders(credential);
  if (request.stream) headers.accept = 'text/event-stream';
  return {
    method: 'POST',
    url: cohereUrl(credential, '/v2/chat'),
    headers,
    body: JSON.stringify(toCohereBody(request, model)),
  };
}

/** `/v2/embed` with float vectors; OpenAI's API has no input_type, so inputs are embedded as documents. */
export function buildCohereEmbeddingsRequest(
  request: EmbeddingRequest,
  model: string,
  credential: ProviderCredential,
): ProviderHttpRequest {
  const inputs = typeof request.input === 'string' ? [request.input] : request.input;
  const texts = inputs.map((input) => {
    if (typeof input !== 'string') {
      throw new UnsupportedRequestError('Cohere embeddings take text, not token arrays.', 'input');
    }
    return input;
  });
  if (texts.length > 96) {
    throw new UnsupportedRequestError('Cohere embeds at most 96 texts per request.', 'input');
  }
  return {
    method: 'POST',
    url: cohereUrl(credential, '/v2/embed'),
    headers: cohereHeaders(credential),
    body: JSON.stringify({
      model,
      texts,
      input_type: 'search_document',
      embedding_types: ['float'],
      ...(request.dimensions ? { output_dimension: request.dimensions } : {}),
    }),
  };
}

/** Cohere's model list (`GET /v1/models`: v2 has no list of its own). */
export function buildCohereModelsRequest(credential: ProviderCredential): ProviderHttpRequest {
  const headers = cohereHeaders(credential);
  delete headers['content-type'];
  return { method: 'GET', url: cohereUrl(credential, '/v1/models?page_size=1000'), headers };
}
