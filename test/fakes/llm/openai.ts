import { moderations } from './moderations.ts';
import { fakeImages, fakeTranscription } from './openai-media.ts';
import {
  type ConversationView,
  completionTokens,
  countWords,
  fakeEmbedding,
  fragments,
  isObject,
  maskedKey,
  planReply,
  type ReplyPlan,
  randomToken,
  splitTokens,
  stopList,
  textOf,
} from './script.ts';
import type { CapturedRequest, Flavor, FlavorContext } from './server.ts';

/*
 * OpenAI's chat-completions wire format and two dialects of it: Azure OpenAI (deployment URLs,
 * api-version, api-key header, content-filter annotations, an empty first stream chunk) and Mistral
 * (strict schema: unknown fields are 422 "extra_forbidden", 9-character tool-call ids, usage in the
 * finish chunk, no stream_options).
 */

type Variant = 'openai' | 'azure' | 'mistral';

const MISTRAL_CHAT_FIELDS = new Set([
  'model',
  'messages',
  'temperature',
  'top_p',
  'max_tokens',
  'stream',
  'stop',
  'random_seed',
  'response_format',
  'tools',
  'tool_choice',
  'presence_penalty',
  'frequency_penalty',
  'n',
  'parallel_tool_calls',
  'safe_prompt',
  'prediction',
]);
const MISTRAL_EMBEDDING_FIELDS = new Set([
  'model',
  'input',
  'output_dimension',
  'output_dtype',
  'encoding_format',
]);
const MISTRAL_TOOL_ID = /^[a-zA-Z0-9]{9}$/;

function conversation(body: Record<string, unknown>): ConversationView {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isObject) : [];
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  const trailingResults: string[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === 'tool'; i--) {
    trailingResults.unshift(textOf(messages[i]?.content));
  }
  const choice = body.tool_choice;
  const forced = isObject(choice) && isObject(choice.function) ? String(choice.function.name) : null;
  return {
    promptText: [...messages.map((message) => textOf(message.content)), ...messages.flatMap(fileTexts)],
    toolNames: tools.map((tool) => (isObject(tool.function) ? String(tool.function.name) : '')),
    forcedTool: forced,
    toolsDisabled: choice === 'none',
    toolResults: trailingResults,
    stopSequences: stopList(body.stop),
  };
}

/**
 * The text of a message's `file` parts sent inline (`file_data`, a base64 data URL): OpenAI bills a
 * document's extracted text as prompt tokens, so the fake counts its words too.
 */
function fileTexts(message: Record<string, unknown>): string[] {
  if (!Array.isArray(message.content)) return [];
  return message.content.flatMap((part: unknown) => {
    if (!isObject(part) || part.type !== 'file' || !isObject(part.file)) return [];
    const data = part.file.file_data;
    if (typeof data !== 'string') return [];
    const base64 = data.slice(data.indexOf(',') + 1);
    return [Buffer.from(base64, 'base64').toString('utf8')];
  });
}

function usageOf(promptTokens: number, plan: ReplyPlan, cachedTokens: number) {
  const completion = completionTokens(plan);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completion,
    total_tokens: promptTokens + completion,
    prompt_tokens_details: { cached_tokens: Math.min(cachedTokens, promptTokens) },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

const CONTENT_FILTER_OK = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

function createFlavor(variant: Variant): Flavor {
  const newToolId = () =>
    variant === 'mistral' ? randomToken(9).replace(/[-_]/g, 'x').slice(0, 9) : `call_${randomToken()}`;
  const completionId = () => (variant === 'mistral' ? randomToken(16) : `chatcmpl-${randomToken()}`);

  function chat(context: FlavorContext, body: Record<string, unknown>, asked: string): Promise<void> | void {
    const { settings } = context;
    const model = `${asked}${settings.snapshotSuffix}`;
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      context.sendError(400, "Missing required parameter: 'messages'.");
      return;
    }
    if (variant === 'mistral') {
      const extra = Object.keys(body).find((key) => !MISTRAL_CHAT_FIELDS.has(key));
      if (extra) {
        context.sendJson(422, mistralExtraForbidden(extra, body[extra]));
        return;
      }
      const badId = mistralToolIds(body.messages).find((id) => !MISTRAL_TOOL_ID.test(id));
      if (badId) {
        context.sendError(400, `Tool call id was ${badId} but must be a-z, A-Z, 0-9, with a length of 9.`);
        return;
      }
    }
    if (body.stream_options != null && body.stream !== true) {
      context.sendError(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
      return;
    }
    const view = conversation(body);
    const plan = planReply(view, settings, newToolId);
    const usage = usageOf(countWords(view.promptText), plan, settings.cachedPromptTokens);
    const id = completionId();
    const created = Math.floor(Date.now() / 1000);
    const finishReason = plan.kind === 'tools' ? 'tool_calls' : 'stop';
    // vLLM's extension: the stop string that ended the text, null for a natural end.
    const stopReason = settings.stopReasonField
      ? { stop_reason: plan.kind === 'text' ? plan.stopSequence : null }
      : {};
    if (body.stream !== true) {
      const message: Record<string, unknown> = {
        role: 'assistant',
        content: plan.kind === 'text' ? plan.text : null,
      };
      if (variant !== 'mistral') message.refusal = null;
      if (plan.kind === 'tools') {
        message.tool_calls = plan.calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        }));
      }
      const choice: Record<string, unknown> = {
        index: 0,
        message,
        logprobs: null,
        finish_reason: finishReason,
        ...stopReason,
      };
      if (variant === 'azure') choice.content_filter_results = CONTENT_FILTER_OK;
      const response: Record<string, unknown> = {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [choice],
        system_fingerprint: 'fp_fake0001',
      };
      if (!settings.omitUsage)
        response.usage = usageOf(usage.prompt_tokens, plan, settings.cachedPromptTokens);
      if (variant === 'azure') {
        response.prompt_filter_results = [{ prompt_index: 0, content_filter_results: CONTENT_FILTER_OK }];
      }
      context.sendJson(200, response);
      return;
    }
    const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
    const withUsageField = variant !== 'mistral' && includeUsage;
    const frames: string[] = [];
    const push = (delta: Record<string, unknown>, finish: string | null = null, extra = {}) => {
      const choice = {
        index: 0,
        delta,
        logprobs: null,
        finish_reason: finish,
        ...(finish ? stopReason : {}),
      };
      const chunk: Record<string, unknown> = {
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: 'fp_fake0001',
        choices: [choice],
        ...extra,
      };
      if (withUsageField) chunk.usage = null;
      frames.push(`data: ${JSON.stringify(chunk)}\n\n`);
    };
    if (variant === 'azure') {
      const filter = { prompt_index: 0, content_filter_results: CONTENT_FILTER_OK };
      frames.push(
        `data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [filter] })}\n\n`,
      );
    }
    push(
      variant === 'mistral'
        ? { role: 'assistant', content: '' }
        : { role: 'assistant', content: '', refusal: null },
    );
    if (plan.kind === 'text') {
      for (const token of splitTokens(plan.text)) push({ content: token });
    } else if (variant === 'mistral') {
      push({
        tool_calls: plan.calls.map((call, index) => ({
          id: call.id,
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
          index,
        })),
      });
    } else {
      plan.calls.forEach((call, index) => {
        push({
          tool_calls: [
            { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
          ],
        });
        for (const piece of fragments(JSON.stringify(call.arguments))) {
          push({ tool_calls: [{ index, function: { arguments: piece } }] });
        }
      });
    }
    if (variant === 'mistral' && !settings.omitUsage)
      push({}, finishReason, { usage: usageOf(usage.prompt_tokens, plan, settings.cachedPromptTokens) });
    else push({}, finishReason);
    if (variant !== 'mistral' && includeUsage && !settings.omitUsage) {
      const chunk = {
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: 'fp_fake0001',
        choices: [],
        usage,
      };
      frames.push(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    frames.push('data: [DONE]\n\n');
    return context.stream(frames);
  }

  function embeddings(context: FlavorContext, body: Record<string, unknown>, model: string): void {
    if (variant === 'mistral') {
      const extra = Object.keys(body).find((key) => !MISTRAL_EMBEDDING_FIELDS.has(key));
      if (extra) {
        context.sendJson(422, mistralExtraForbidden(extra, body[extra]));
        return;
      }
    }
    const input = body.input;
    const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map(String) : null;
    if (!texts) {
      context.sendError(400, "Missing required parameter: 'input'.");
      return;
    }
    const requested = variant === 'mistral' ? body.output_dimension : body.dimensions;
    const dimensions = typeof requested === 'number' ? requested : context.settings.embeddingDimensions;
    const base64 = body.encoding_format === 'base64';
    const data = texts.map((text, index) => {
      const vector = fakeEmbedding(text, dimensions);
      const embedding = base64 ? Buffer.from(Float32Array.from(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    const response: Record<string, unknown> = { object: 'list', data, model };
    const tokens = countWords(texts);
    if (!context.settings.omitUsage) response.usage = { prompt_tokens: tokens, total_tokens: tokens };
    context.sendJson(200, response);
  }

  function models(context: FlavorContext): void {
    const ids =
      context.settings.models.length > 0
        ? context.settings.models
        : ['gpt-4o-mini', 'text-embedding-3-small'];
    context.sendJson(200, {
      object: 'list',
      data: ids.map((id) => ({ id, object: 'model', created: 1_715_367_049, owned_by: 'system' })),
    });
  }

  return {
    baseUrl: (origin) => (variant === 'azure' ? origin : `${origin}/v1`),
    authorized: (request: CapturedRequest, apiKey: string) =>
      variant === 'azure'
        ? request.headers['api-key'] === apiKey
        : request.headers.authorization === `Bearer ${apiKey}`,
    authFailure: (request: CapturedRequest) => {
      if (variant === 'azure') {
        const message =
          'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';
        return { status: 401, body: { error: { code: '401', message } } };
      }
      if (variant === 'mistral') {
        return { status: 401, body: { message: 'Unauthorized', request_id: randomToken(16) } };
      }
      // OpenAI quotes the rejected key back, partly masked.
      const sent = (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      const message = `Incorrect API key provided: ${maskedKey(sent)}. You can find your API key at https://platform.openai.com/account/api-keys.`;
      return {
        status: 401,
        body: { error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
      };
    },
    retryAfterInHeader: true,
    errorBody: (status, message, retryAfterSeconds) => {
      if (variant === 'azure') {
        const suffix =
          retryAfterSeconds === undefined ? '' : ` Please retry after ${retryAfterSeconds} seconds.`;
        return { error: { code: String(status), message: `${message}${suffix}` } };
      }
      const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
      const code = status === 429 ? 'rate_limit_exceeded' : status === 401 ? 'invalid_api_key' : null;
      if (variant === 'mistral') return { object: 'error', message, type, param: null, code: String(status) };
      return { error: { message, type, param: null, code } };
    },
    streamErrorFrame: () =>
      `data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } })}\n\n`,
    route(context) {
      const { request } = context;
      const body = isObject(request.body) ? request.body : {};
      if (variant === 'azure') {
        if (!request.query['api-version']) {
          context.sendJson(404, { error: { code: '404', message: 'Resource not found' } });
          return;
        }
        const match =
          /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings|images\/generations|audio\/transcriptions)$/.exec(
            request.path,
          );
        if (request.method === 'GET' && request.path === '/openai/models') return models(context);
        if (request.method === 'POST' && match) {
          // A deployment answers with the model it runs, not its own name.
          const deployment = decodeURIComponent(match[1] ?? '');
          if (match[2] === 'images/generations') return fakeImages(context, body, deployment);
          if (match[2] === 'audio/transcriptions') return fakeTranscription(context, deployment);
          return match[2] === 'embeddings'
            ? embeddings(context, body, `${deployment}-model`)
            : chat(context, body, `${deployment}-model`);
        }
      } else {
        const model = typeof body.model === 'string' ? body.model : 'unknown';
        if (request.method === 'POST' && request.path === '/v1/chat/completions')
          return chat(context, body, model);
        if (request.method === 'POST' && request.path === '/v1/embeddings')
          return embeddings(context, body, model);
        if (request.method === 'GET' && request.path === '/v1/models') return models(context);
        if (variant === 'openai' && request.method === 'POST') {
          if (request.path === '/v1/images/generations') return fakeImages(context, body, model);
          if (request.path === '/v1/audio/transcriptions') return fakeTranscription(context, null);
          if (request.path === '/v1/moderations') return moderations(context, body);
        }
      }
      context.sendError(404, `Unknown path ${request.method} ${request.path}`);
    },
  };
}

function mistralExtraForbidden(field: string, input: unknown) {
  return {
    object: 'error',
    message: {
      detail: [
        { type: 'extra_forbidden', loc: ['body', field], msg: 'Extra inputs are not permitted', input },
      ],
    },
    type: 'invalid_request_error',
    param: null,
    code: null,
  };
}

function mistralToolIds(messages: unknown[]): string[] {
  const ids: string[] = [];
  for (const message of messages) {
    if (!isObject(message)) continue;
    if (typeof message.tool_call_id === 'string') ids.push(message.tool_call_id);
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls)
        if (isObject(call) && typeof call.id === 'string') ids.push(call.id);
    }
  }
  return ids;
}

export const openaiFlavor = createFlavor('openai');
export const azureFlavor = createFlavor('azure');
export const mistralFlavor = createFlavor('mistral');
