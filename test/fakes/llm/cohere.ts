import {
  type ConversationView,
  completionTokens,
  countWords,
  fakeEmbedding,
  fragments,
  isObject,
  planReply,
  randomToken,
  splitTokens,
  textOf,
} from './script.ts';
import type { Flavor, FlavorContext } from './server.ts';

/*
 * Cohere's v2 API: `POST /v2/chat` (OpenAI-like messages; assistant tool calls with a `tool_plan`, tool
 * results as role "tool"), its stream of typed SSE events (message-start, content-start/delta/end,
 * tool-plan-delta, tool-call-start/delta/end, message-end with finish_reason and usage.billed_units /
 * usage.tokens), `POST /v2/embed` (embeddings by type), `GET /v1/models`, bearer keys, errors as `{id, message}`.
 */

/** Cohere's own prompt template, counted in `tokens` but not billed. */
const TEMPLATE_TOKENS = 7;

const event = (type: string, payload: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

function conversation(body: Record<string, unknown>): ConversationView {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isObject) : [];
  const promptText = messages.map((message) => textOf(message.content));
  const last = messages[messages.length - 1];
  const toolResults = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === 'tool'; i--) {
    toolResults.unshift(textOf(messages[i]?.content));
  }
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  const names = tools.map((tool) => (isObject(tool.function) ? String(tool.function.name) : ''));
  return {
    promptText,
    toolNames: names,
    forcedTool: body.tool_choice === 'REQUIRED' && names.length === 1 ? (names[0] ?? null) : null,
    toolsDisabled: body.tool_choice === 'NONE',
    toolResults: last?.role === 'tool' ? toolResults : [],
    stopSequences: Array.isArray(body.stop_sequences) ? body.stop_sequences.map(String) : [],
  };
}

function validationError(body: Record<string, unknown>): string | null {
  if (typeof body.model !== 'string') return 'invalid request: model must be specified';
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return 'invalid request: messages cannot be empty';
  if (body.p !== undefined && (typeof body.p !== 'number' || body.p < 0.01 || body.p > 0.99)) {
    return 'invalid request: p must be between 0.01 and 0.99';
  }
  const callIds = new Set<string>();
  for (const [index, message] of body.messages.entries()) {
    if (!isObject(message) || !['system', 'user', 'assistant', 'tool'].includes(String(message.role))) {
      return `invalid request: messages[${index}].role must be one of system, user, assistant, tool`;
    }
    for (const call of Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : []) {
      callIds.add(String(call.id));
    }
    if (message.role === 'tool' && !callIds.has(String(message.tool_call_id))) {
      return `invalid request: messages[${index}].tool_call_id does not match any tool call`;
    }
  }
  return null;
}

function chat(context: FlavorContext, body: Record<string, unknown>): Promise<void> | void {
  const problem = validationError(body);
  if (problem) return context.sendError(400, problem);
  const view = conversation(body);
  const plan = planReply(view, context.settings, () => `${view.toolNames[0] ?? 'tool'}_${randomToken(6)}`);
  const input = countWords(view.promptText);
  const output = completionTokens(plan);
  const usage = {
    billed_units: { input_tokens: input, output_tokens: output },
    tokens: { input_tokens: input + TEMPLATE_TOKENS, output_tokens: output },
  };
  const id = randomToken(16);
  const finish = plan.kind === 'tools' ? 'TOOL_CALL' : plan.stopSequence ? 'STOP_SEQUENCE' : 'COMPLETE';
  const toolPlan = 'I will call the tool to answer this.';
  const calls =
    plan.kind === 'tools'
      ? plan.calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        }))
      : [];
  const omit = context.settings.omitUsage;
  if (body.stream !== true) {
    const message =
      plan.kind === 'text'
        ? { role: 'assistant', content: [{ type: 'text', text: plan.text }] }
        : { role: 'assistant', tool_plan: toolPlan, tool_calls: calls };
    return context.sendJson(200, { id, message, finish_reason: finish, ...(omit ? {} : { usage }) });
  }
  const frames = [
    event('message-start', {
      id,
      delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
    }),
  ];
  if (plan.kind === 'text') {
    frames.push(
      event('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }),
    );
    for (const token of splitTokens(plan.text)) {
      frames.push(event('content-delta', { index: 0, delta: { message: { content: { text: token } } } }));
    }
    frames.push(event('content-end', { index: 0 }));
  } else {
    for (const token of splitTokens(toolPlan)) {
      frames.push(event('tool-plan-delta', { delta: { message: { tool_plan: token } } }));
    }
    calls.forEach((call, index) => {
      const start = { ...call, function: { name: call.function.name, arguments: '' } };
      frames.push(event('tool-call-start', { index, delta: { message: { tool_calls: start } } }));
      for (const piece of fragments(call.function.arguments)) {
        frames.push(
          event('tool-call-delta', {
            index,
            delta: { message: { tool_calls: { function: { arguments: piece } } } },
          }),
        );
      }
      frames.push(event('tool-call-end', { index }));
    });
  }
  frames.push(event('message-end', { delta: { finish_reason: finish, ...(omit ? {} : { usage }) } }));
  return context.stream(frames);
}

function embed(context: FlavorContext, body: Record<string, unknown>) {
  const texts = Array.isArray(body.texts) ? body.texts.map(String) : [];
  if (typeof body.model !== 'string')
    return context.sendError(400, 'invalid request: model must be specified');
  if (texts.length === 0 || texts.length > 96) {
    return context.sendError(400, 'invalid request: texts must contain between 1 and 96 items');
  }
  if (typeof body.input_type !== 'string') {
    return context.sendError(400, 'invalid request: input_type is required for embed models v3 and higher');
  }
  const dimensions =
    typeof body.output_dimension === 'number' ? body.output_dimension : context.settings.embeddingDimensions;
  context.sendJson(200, {
    id: randomToken(16),
    embeddings: { float: texts.map((text) => fakeEmbedding(text, dimensions)) },
    texts,
    meta: { api_version: { version: '2' }, billed_units: { input_tokens: countWords(texts) } },
    response_type: 'embeddings_by_type',
  });
}

export const cohereFlavor: Flavor = {
  baseUrl: (origin) => origin,
  authorized: (request, apiKey) => request.headers.authorization === `Bearer ${apiKey}`,
  authFailure: () => ({ status: 401, body: { id: randomToken(16), message: 'invalid api token' } }),
  retryAfterInHeader: true,
  errorBody: (_status, message) => ({ id: randomToken(16), message }),
  streamErrorFrame: () =>
    event('message-end', { delta: { finish_reason: 'ERROR', error: 'internal server error' } }),
  route(context) {
    const { request } = context;
    const body = isObject(request.body) ? request.body : {};
    if (request.method === 'POST' && request.path === '/v2/chat') return chat(context, body);
    if (request.method === 'POST' && request.path === '/v2/embed') return embed(context, body);
    if (request.method === 'GET' && request.path === '/v1/models') {
      const names =
        context.settings.models.length > 0 ? context.settings.models : ['command-a-03-2025', 'embed-v4.0'];
      return context.sendJson(200, {
        models: names.map((name) => ({ name, endpoints: name.startsWith('embed') ? ['embed'] : ['chat'] })),
      });
    }
    context.sendError(404, `Not found: ${request.method} ${request.path}`);
  },
};
