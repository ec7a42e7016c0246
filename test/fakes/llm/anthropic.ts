import {
  type ConversationView,
  completionTokens,
  countWords,
  fragments,
  isObject,
  planReply,
  randomToken,
  splitTokens,
  textOf,
} from './script.ts';
import type { Flavor, FlavorContext } from './server.ts';

/*
 * Anthropic's Messages API: x-api-key + anthropic-version headers, content blocks, tool_use/tool_result,
 * and the named-event stream (message_start, content_block_start/delta/stop, ping, message_delta with
 * the output usage, message_stop), errors as {type:"error", error:{type, message}}.
 */

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const event = (type: string, payload: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

function blocksOf(content: unknown): Record<string, unknown>[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.filter(isObject) : [];
}

function conversation(body: Record<string, unknown>): ConversationView {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isObject) : [];
  const promptText = [textOf(body.system)];
  for (const message of messages) {
    for (const block of blocksOf(message.content)) {
      promptText.push(block.type === 'tool_result' ? textOf(block.content) : textOf([block]));
    }
  }
  const last = messages[messages.length - 1];
  const toolResults =
    last?.role === 'user'
      ? blocksOf(last.content)
          .filter((block) => block.type === 'tool_result')
          .map((block) => textOf(block.content))
      : [];
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  const choice = isObject(body.tool_choice) ? body.tool_choice : {};
  return {
    promptText,
    toolNames: tools.map((tool) => String(tool.name)),
    forcedTool: choice.type === 'tool' ? String(choice.name) : null,
    toolsDisabled: choice.type === 'none',
    toolResults,
    stopSequences: Array.isArray(body.stop_sequences) ? body.stop_sequences.map(String) : [],
  };
}

/** The checks of the real API that translation mistakes would trip. */
function validationError(body: Record<string, unknown>): string | null {
  if (typeof body.model !== 'string') return 'model: Field required';
  if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: Field required';
  const toolUseIds = new Set<string>();
  for (const [index, message] of body.messages.entries()) {
    if (!isObject(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      return `messages.${index}.role: Input should be 'user' or 'assistant'`;
    }
    for (const block of blocksOf(message.content)) {
      if (block.type === 'text' && block.text === '')
        return 'messages: text content blocks must be non-empty';
      if (block.type === 'tool_use') toolUseIds.add(String(block.id));
      if (block.type === 'tool_result' && !toolUseIds.has(String(block.tool_use_id))) {
        return `messages.${index}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}`;
      }
    }
  }
  return null;
}

function messages(context: FlavorContext, body: Record<string, unknown>): Promise<void> | void {
  const problem = validationError(body);
  if (problem) {
    context.sendError(400, problem);
    return;
  }
  const view = conversation(body);
  const plan = planReply(view, context.settings, () => `toolu_${randomToken()}`);
  const inputTokens = countWords(view.promptText);
  const outputTokens = completionTokens(plan);
  const id = `msg_${randomToken()}`;
  const model = `${String(body.model)}${context.settings.snapshotSuffix}`;
  const stopSequence = plan.kind === 'text' ? plan.stopSequence : null;
  const stopReason = plan.kind === 'tools' ? 'tool_use' : stopSequence ? 'stop_sequence' : 'end_turn';
  if (body.stream !== true) {
    const content =
      plan.kind === 'text'
        ? [{ type: 'text', text: plan.text }]
        : plan.calls.map((call) => ({
            type: 'tool_use',
            id: call.id,
            name: call.name,
            input: call.arguments,
          }));
    const message: Record<string, unknown> = {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: stopSequence,
    };
    if (!context.settings.omitUsage) {
      message.usage = {
        input_tokens: inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: outputTokens,
        service_tier: 'standard',
      };
    }
    context.sendJson(200, message, { 'request-id': `req_${randomToken()}` });
    return;
  }
  const startUsage = context.settings.omitUsage
    ? {}
    : { usage: { input_tokens: inputTokens, output_tokens: 1 } };
  const frames = [
    event('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        ...startUsage,
      },
    }),
  ];
  if (plan.kind === 'text') {
    frames.push(event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    frames.push(event('ping', {}));
    for (const token of splitTokens(plan.text)) {
      frames.push(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: token } }));
    }
    frames.push(event('content_block_stop', { index: 0 }));
  } else {
    plan.calls.forEach((call, index) => {
      frames.push(
        event('content_block_start', {
          index,
          content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
        }),
      );
      frames.push(
        event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } }),
      );
      for (const piece of fragments(JSON.stringify(call.arguments))) {
        frames.push(
          event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }),
        );
      }
      frames.push(event('content_block_stop', { index }));
    });
  }
  const endUsage = context.settings.omitUsage ? {} : { usage: { output_tokens: outputTokens } };
  frames.push(
    event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: stopSequence }, ...endUsage }),
  );
  frames.push(event('message_stop', {}));
  return context.stream(frames, { 'request-id': `req_${randomToken()}` });
}

export const anthropicFlavor: Flavor = {
  baseUrl: (origin) => origin,
  authorized: (request, apiKey) => request.headers['x-api-key'] === apiKey,
  authFailure: () => ({
    status: 401,
    body: {
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
      request_id: `req_${randomToken()}`,
    },
  }),
  retryAfterInHeader: true,
  errorBody: (status, message) => ({
    type: 'error',
    error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message },
    request_id: `req_${randomToken()}`,
  }),
  streamErrorFrame: () => event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }),
  route(context) {
    const { request } = context;
    if (!request.headers['anthropic-version']) {
      context.sendError(400, 'anthropic-version: header is required');
      return;
    }
    const body = isObject(request.body) ? request.body : {};
    if (request.method === 'POST' && request.path === '/v1/messages') return messages(context, body);
    if (request.method === 'GET' && request.path === '/v1/models') {
      const ids =
        context.settings.models.length > 0
          ? context.settings.models
          : ['claude-sonnet-4-5', 'claude-haiku-4-5'];
      context.sendJson(200, {
        data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' })),
        has_more: false,
        first_id: ids[0] ?? null,
        last_id: ids[ids.length - 1] ?? null,
      });
      return;
    }
    context.sendError(404, `Not found: ${request.method} ${request.path}`);
  },
};
