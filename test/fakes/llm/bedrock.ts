import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import {
  type ConversationView,
  completionTokens,
  countWords,
  fakeEmbedding,
  fragments,
  isObject,
  planReply,
  type ReplyPlan,
  randomToken,
  splitTokens,
} from './script.ts';
import type { CapturedRequest, Flavor, FlavorContext } from './server.ts';
import { type AwsTestKeys, verifySigV4 } from './sigv4.ts';

/*
 * Amazon Bedrock Runtime's Converse API: `POST /model/{modelId}/converse` and `/converse-stream`, every
 * request SigV4-signed for the service `bedrock` (verified against the known test keys: a wrong secret is a
 * 403 InvalidSignatureException, an unknown key id a 403 UnrecognizedClientException), errors as REST-JSON
 * (the exception in `x-amzn-ErrorType`, `{"message"}` in the body), and streams as
 * application/vnd.amazon.eventstream messages: messageStart, contentBlockStart/Delta/Stop, messageStop,
 * metadata (usage), or an exception message mid-stream.
 *
 * InvokeModel (`POST /model/{modelId}/invoke`) answers the embedding models: Amazon Titan Text Embeddings
 * (V2: `{inputText, dimensions?, normalize?, embeddingTypes?}`, one text per call; V1: `{inputText}`) and
 * Cohere Embed v3 (`{texts, input_type, truncate?, embedding_types?}`, at most 96 texts, no token counts).
 *
 * The fake's "API key" is the secret as a Bedrock credential stores it: `ACCESS_KEY_ID:SECRET_ACCESS_KEY`
 * (`:SESSION_TOKEN` appended for temporary keys).
 */

export const BEDROCK_FAKE_REGION = 'us-west-2';
export const BEDROCK_TEST_SECRET = 'AKIAFAKEBEDROCK00001:fakeSecretAccessKey/0123456789+abcdefghij';

const EXCEPTION_BY_STATUS: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

const TOP_LEVEL = new Set([
  'messages',
  'system',
  'inferenceConfig',
  'toolConfig',
  'guardrailConfig',
  'additionalModelRequestFields',
  'promptVariables',
  'additionalModelResponseFieldPaths',
  'requestMetadata',
  'performanceConfig',
]);
const INFERENCE_FIELDS = new Set(['maxTokens', 'temperature', 'topP', 'stopSequences']);
const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const stringHeader = (value: string) => ({ type: 'string' as const, value });

/** One event-stream message; Bedrock pads each payload with a random `p` field (length hiding). */
export function eventFrame(type: string, payload: Record<string, unknown>): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': stringHeader(type),
      ':content-type': stringHeader('application/json'),
      ':message-type': stringHeader('event'),
    },
    body: fromUtf8(JSON.stringify({ ...payload, p: randomToken(6) })),
  });
}

export function exceptionFrame(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': stringHeader(type),
      ':content-type': stringHeader('application/json'),
      ':message-type': stringHeader('exception'),
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

function parseTestSecret(secret: string): AwsTestKeys {
  const [accessKeyId = '', secretAccessKey = '', sessionToken] = secret.split(':');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

const blocksOf = (message: unknown): Record<string, unknown>[] =>
  isObject(message) && Array.isArray(message.content) ? message.content.filter(isObject) : [];

const resultText = (block: Record<string, unknown>): string => {
  const result = isObject(block.toolResult) ? block.toolResult : {};
  const parts = Array.isArray(result.content) ? result.content.filter(isObject) : [];
  return parts
    .map((part) => (typeof part.text === 'string' ? part.text : JSON.stringify(part.json)))
    .join('');
};

function conversation(body: Record<string, unknown>): ConversationView {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isObject) : [];
  const system = Array.isArray(body.system) ? body.system.filter(isObject) : [];
  const promptText = system.map((block) => String(block.text ?? ''));
  for (const message of messages) {
    for (const block of blocksOf(message)) {
      if (typeof block.text === 'string') promptText.push(block.text);
      if (isObject(block.toolResult)) promptText.push(resultText(block));
    }
  }
  const last = messages[messages.length - 1];
  const toolResults =
    last?.role === 'user'
      ? blocksOf(last)
          .filter((block) => isObject(block.toolResult))
          .map(resultText)
      : [];
  const config = isObject(body.toolConfig) ? body.toolConfig : {};
  const tools = Array.isArray(config.tools) ? config.tools.filter(isObject) : [];
  const choice = isObject(config.toolChoice) ? config.toolChoice : {};
  const inference = isObject(body.inferenceConfig) ? body.inferenceConfig : {};
  return {
    promptText,
    toolNames: tools.map((tool) => (isObject(tool.toolSpec) ? String(tool.toolSpec.name) : '')),
    forcedTool: isObject(choice.tool) ? String(choice.tool.name) : null,
    toolsDisabled: false,
    toolResults,
    stopSequences: Array.isArray(inference.stopSequences) ? inference.stopSequences.map(String) : [],
  };
}

function blockProblem(block: Record<string, unknown>, at: string, toolUseIds: Set<string>): string | null {
  if ('text' in block && (typeof block.text !== 'string' || block.text.trim() === '')) {
    return `The text field in the ContentBlock object at ${at} is blank. Add text to the text field, and try again.`;
  }
  if ('image' in block) {
    const image = isObject(block.image) ? block.image : {};
    const source = isObject(image.source) ? image.source : {};
    if (!IMAGE_FORMATS.has(String(image.format)) || typeof source.bytes !== 'string') {
      return `Malformed input request: ${at}.image is not a valid ImageBlock`;
    }
  }
  if (isObject(block.toolUse)) toolUseIds.add(String(block.toolUse.toolUseId));
  if (isObject(block.toolResult) && !toolUseIds.has(String(block.toolResult.toolUseId))) {
    return 'The toolUse and toolResult blocks do not match: every toolResult needs the toolUseId of an earlier toolUse.';
  }
  return null;
}

/** The checks of the real API that translation mistakes would trip (wording after Bedrock's). */
function validationError(body: Record<string, unknown>): string | null {
  const extra = Object.keys(body).find((key) => !TOP_LEVEL.has(key));
  if (extra)
    return `Malformed input request: extraneous key [${extra}] is not permitted, please reformat your input and try again.`;
  const inference = isObject(body.inferenceConfig) ? body.inferenceConfig : {};
  const badField = Object.keys(inference).find((key) => !INFERENCE_FIELDS.has(key));
  if (badField)
    return `Malformed input request: extraneous key [${badField}] in inferenceConfig is not permitted.`;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  if (messages.length === 0 || !isObject(messages[0]) || messages[0].role !== 'user') {
    return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
  }
  const toolUseIds = new Set<string>();
  let usesTools = false;
  for (const [index, message] of messages.entries()) {
    const previous = messages[index - 1];
    if (!isObject(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      return `Value at 'messages.${index + 1}.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`;
    }
    if (isObject(previous) && previous.role === message.role) {
      return 'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.';
    }
    for (const [at, block] of blocksOf(message).entries()) {
      const problem = blockProblem(block, `messages.${index}.content.${at}`, toolUseIds);
      if (problem) return problem;
      usesTools ||= 'toolUse' in block || 'toolResult' in block;
    }
  }
  if (usesTools && !isObject(body.toolConfig)) {
    return 'The toolConfig field must be defined when using toolUse and toolResult content blocks.';
  }
  return null;
}

function contentOf(plan: ReplyPlan): Record<string, unknown>[] {
  if (plan.kind === 'text') return [{ text: plan.text }];
  return plan.calls.map((call) => ({
    toolUse: { toolUseId: call.id, name: call.name, input: call.arguments },
  }));
}

function streamFrames(
  plan: ReplyPlan,
  stopReason: string,
  usage: Record<string, number> | null,
): Uint8Array[] {
  const frames = [eventFrame('messageStart', { role: 'assistant' })];
  if (plan.kind === 'text') {
    for (const token of splitTokens(plan.text)) {
      frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: token } }));
    }
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
  } else {
    plan.calls.forEach((call, index) => {
      frames.push(
        eventFrame('contentBlockStart', {
          contentBlockIndex: index,
          start: { toolUse: { toolUseId: call.id, name: call.name } },
        }),
      );
      for (const piece of fragments(JSON.stringify(call.arguments))) {
        frames.push(
          eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: piece } } }),
        );
      }
      frames.push(eventFrame('contentBlockStop', { contentBlockIndex: index }));
    });
  }
  frames.push(eventFrame('messageStop', { stopReason }));
  if (usage) frames.push(eventFrame('metadata', { usage, metrics: { latencyMs: 42 } }));
  return frames;
}

function converse(context: FlavorContext, body: Record<string, unknown>, streaming: boolean) {
  const problem = validationError(body);
  if (problem) {
    context.sendError(400, problem);
    return;
  }
  const view = conversation(body);
  const plan = planReply(view, context.settings, () => `tooluse_${randomToken()}`);
  const inputTokens = countWords(view.promptText);
  const outputTokens = completionTokens(plan);
  const stopReason = plan.kind === 'tools' ? 'tool_use' : plan.stopSequence ? 'stop_sequence' : 'end_turn';
  const usage = context.settings.omitUsage
    ? null
    : { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  const requestId = { 'x-amzn-requestid': crypto.randomUUID() };
  if (!streaming) {
    context.sendJson(
      200,
      {
        output: { message: { role: 'assistant', content: contentOf(plan) } },
        stopReason,
        ...(usage ? { usage } : {}),
        metrics: { latencyMs: 42 },
      },
      requestId,
    );
    return;
  }
  return context.stream(streamFrames(plan, stopReason, usage), {
    'content-type': 'application/vnd.amazon.eventstream',
    ...requestId,
  });
}

/** Bedrock's wording for a body its model schema refuses. */
const malformed = (context: FlavorContext, detail: string) =>
  context.sendError(400, `Malformed input request: ${detail}, please reformat your input and try again.`);

function extraneousKey(body: Record<string, unknown>, allowed: readonly string[]): string | null {
  const extra = Object.keys(body).find((key) => !allowed.includes(key));
  return extra === undefined ? null : `#: extraneous key [${extra}] is not permitted`;
}

const TITAN_V2_KEYS = ['inputText', 'dimensions', 'normalize', 'embeddingTypes'];
const TITAN_DIMENSIONS = [256, 512, 1024];

function titanEmbedding(context: FlavorContext, body: Record<string, unknown>, v2: boolean) {
  const problem = extraneousKey(body, v2 ? TITAN_V2_KEYS : ['inputText']);
  if (problem) return malformed(context, problem);
  if (typeof body.inputText !== 'string') return malformed(context, '#: required key [inputText] not found');
  if (body.inputText.length === 0) return malformed(context, '#/inputText: expected minLength: 1, actual: 0');
  if (body.dimensions !== undefined && !TITAN_DIMENSIONS.includes(body.dimensions as number)) {
    return malformed(context, `#/dimensions: ${String(body.dimensions)} is not a valid enum value`);
  }
  if (body.normalize !== undefined && typeof body.normalize !== 'boolean') {
    return malformed(context, '#/normalize: expected type: Boolean');
  }
  const dimensions =
    typeof body.dimensions === 'number' ? body.dimensions : context.settings.embeddingDimensions;
  const embedding = fakeEmbedding(body.inputText, dimensions);
  const counted = context.settings.omitUsage ? {} : { inputTextTokenCount: countWords([body.inputText]) };
  context.sendJson(
    200,
    v2 ? { embedding, ...counted, embeddingsByType: { float: embedding } } : { embedding, ...counted },
    { 'x-amzn-requestid': crypto.randomUUID() },
  );
}

const COHERE_KEYS = ['texts', 'images', 'input_type', 'truncate', 'embedding_types'];
const COHERE_INPUT_TYPES = ['search_document', 'search_query', 'classification', 'clustering', 'image'];

function cohereEmbedding(context: FlavorContext, body: Record<string, unknown>) {
  const problem = extraneousKey(body, COHERE_KEYS);
  if (problem) return malformed(context, problem);
  const texts = body.texts;
  if (!Array.isArray(texts) || !texts.every((text) => typeof text === 'string')) {
    return malformed(context, '#: required key [texts] not found');
  }
  if (texts.length > 96)
    return malformed(context, `#/texts: expected maximum item count: 96, found: ${texts.length}`);
  const tooLong = texts.findIndex((text) => text.length > 2048);
  if (tooLong !== -1) return malformed(context, `#/texts/${tooLong}: expected maxLength: 2048`);
  if (!COHERE_INPUT_TYPES.includes(body.input_type as string)) {
    return malformed(context, '#/input_type: is not a valid enum value');
  }
  const vectors = texts.map((text) => fakeEmbedding(text, context.settings.embeddingDimensions));
  const byType = Array.isArray(body.embedding_types);
  context.sendJson(
    200,
    {
      id: crypto.randomUUID(),
      embeddings: byType ? { float: vectors } : vectors,
      response_type: byType ? 'embeddings_by_type' : 'embeddings_floats',
      texts,
    },
    { 'x-amzn-requestid': crypto.randomUUID() },
  );
}

/** InvokeModel for the embedding models; the body is each model family's own. */
function invokeModel(context: FlavorContext, model: string, body: Record<string, unknown>) {
  if (/amazon\.titan-embed-text-v2/.test(model)) return titanEmbedding(context, body, true);
  if (/amazon\.titan-embed-(text-v1|g1-text)/.test(model)) return titanEmbedding(context, body, false);
  if (/cohere\.embed-/.test(model)) return cohereEmbedding(context, body);
  context.sendError(400, 'The provided model identifier is invalid.');
}

const MODEL_PATH = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/;

function authVerdict(request: CapturedRequest, apiKey: string) {
  return verifySigV4(request, parseTestSecret(apiKey), { region: BEDROCK_FAKE_REGION, service: 'bedrock' });
}

export const bedrockFlavor: Flavor = {
  baseUrl: (origin) => origin,
  authorized: (request, apiKey) => authVerdict(request, apiKey).ok,
  authFailure: (request, apiKey) => {
    const verdict = authVerdict(request, apiKey);
    const exception = verdict.ok ? 'AccessDeniedException' : verdict.exception;
    const message = verdict.ok ? 'Access denied' : verdict.message;
    return {
      status: 403,
      body: { message },
      headers: {
        'x-amzn-errortype': `${exception}:http://internal.amazon.com/coral/com.amazon.coral.service/`,
      },
    };
  },
  retryAfterInHeader: false,
  errorBody: (_status, message) => ({ message }),
  errorHeaders: (status) => ({
    'x-amzn-errortype': `${EXCEPTION_BY_STATUS[status] ?? (status >= 500 ? 'InternalServerException' : 'ValidationException')}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
  }),
  streamErrorFrame: () =>
    exceptionFrame('throttlingException', 'Too many requests, please wait before trying again.'),
  route(context) {
    const { request } = context;
    const match = MODEL_PATH.exec(request.path);
    if (request.method !== 'POST' || !match) {
      context.sendJson(
        404,
        { message: `Unknown operation ${request.method} ${request.path}` },
        {
          'x-amzn-errortype':
            'UnknownOperationException:http://internal.amazon.com/coral/com.amazon.coral.service/',
        },
      );
      return;
    }
    if (!isObject(request.body)) {
      context.sendError(400, 'Malformed input request: the body is not a JSON object.');
      return;
    }
    if (match[2] === 'invoke') return invokeModel(context, decodeURIComponent(match[1] ?? ''), request.body);
    return converse(context, request.body, match[2] === 'converse-stream');
  },
};
