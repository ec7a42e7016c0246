import type { JsonSchema } from './schema.ts';
import type { McpToolDef, ToolRequestResult } from './tools.ts';

/**
 * AI and prompt APIs as MCP tools. A prompt API offers one tool, `run`: its arguments are the prompt's
 * variables and its input schema is the prompt's. An AI API offers one tool, `chat`: a prompt (and
 * optional instructions) for one of the model routes its provider picked. A tools/call is an ordinary
 * request to the API (`POST /v1/run`, `POST /v1/chat/completions`) through the gateway's chain with the
 * caller's key, so token limits, USD budgets, guardrails, metering and the AI call log apply to it
 * exactly as to any call of the API.
 */

const PROMPT_TOOL = 'run';
const CHAT_TOOL = 'chat';
const PROMPT_PATH = '/v1/run';
const CHAT_PATH = '/v1/chat/completions';
/** tools/list sends every tool's schemas: a prompt's own input schema is offered up to this size. */
const MAX_SCHEMA_BYTES = 64 * 1024;
const MAX_DESCRIPTION = 1_024;
/** What an agent's `prompt` and `system` may hold (the API's body limit applies after this too). */
const MAX_TEXT = 1_000_000;
const MAX_OUTPUT_TOKENS = 1_000_000;

/**
 * How a tools/call of an AI API's tool is built and answered. `timeoutMs`: the longest the API itself may
 * take (its route's attempts), so the loopback call never gives up on an answer the caller pays for.
 */
export type AiToolKind = ({ kind: 'prompt' } | { kind: 'chat'; models: string[] }) & { timeoutMs?: number };

interface ApiText {
  name: string;
  description: string;
}

const USAGE_SCHEMA = {
  type: 'object',
  properties: {
    input_tokens: { type: 'integer' },
    output_tokens: { type: 'integer' },
  },
};

const clip = (text: string) =>
  text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;

function describe(api: ApiText, fallback: string): string {
  const own = api.description.trim();
  return clip(own === '' ? fallback : `${own}\n\n${fallback}`);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const PLAIN_INPUT = { type: 'object', description: "The prompt's variables." } as const;

/**
 * The prompt's input schema as a tool's. MCP clients check a listed tool's schema (an object with
 * `properties` of object schemas and `required` names): a boolean property schema becomes its object
 * spelling, and a schema they would refuse, or one too large to list, is offered as a plain object —
 * one API's schema must never make an app's whole tool list unreadable. The prompt API still
 * validates the variables against its own schema on every call.
 */
function promptInputSchema(schema: Record<string, unknown>): JsonSchema & { type: 'object' } {
  if (JSON.stringify(schema).length > MAX_SCHEMA_BYTES) return { ...PLAIN_INPUT };
  const { properties, required } = schema;
  if (required !== undefined && !(Array.isArray(required) && required.every((n) => typeof n === 'string')))
    return { ...PLAIN_INPUT };
  if (properties === undefined) return { ...schema, type: 'object' };
  if (!isRecord(properties)) return { ...PLAIN_INPUT };
  const listed: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (property === true) listed[name] = {};
    else if (property === false) listed[name] = { not: {} };
    else if (isRecord(property)) listed[name] = property;
    else return { ...PLAIN_INPUT };
  }
  return { ...schema, type: 'object', properties: listed };
}

/** Keys that make a schema's meaning depend on where it sits (references, identifiers, anchors). */
const POSITIONAL = new Set([
  '$ref',
  '$id',
  '$anchor',
  '$dynamicRef',
  '$dynamicAnchor',
  '$recursiveRef',
  'id',
]);

function positional(node: unknown, depth = 0): boolean {
  if (depth > 64) return true;
  if (Array.isArray(node)) return node.some((item) => positional(item, depth + 1));
  if (!isRecord(node)) return false;
  return Object.entries(node).some(
    ([key, value]) => (POSITIONAL.has(key) && typeof value === 'string') || positional(value, depth + 1),
  );
}

/**
 * What the tool's structured `output` is listed as. The prompt's own schema, nested under `output`,
 * would change the meaning of its references (`#` would name the tool's schema): one with references,
 * or too large to list, is listed as any JSON with the schema's description — the prompt API has
 * already checked the answer against its own schema. No schema: the answer is text.
 */
function outputProperty(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!schema) return { type: 'string' };
  if (JSON.stringify(schema).length <= MAX_SCHEMA_BYTES && !positional(schema)) return schema;
  return { description: "JSON matching the prompt's output schema." };
}

/** The tool of a prompt API. `outputSchema`: the prompt's, when its answer is structured. */
export function promptTool(
  api: ApiText,
  prompt: { inputSchema: Record<string, unknown>; outputSchema?: Record<string, unknown> | undefined },
  timeoutMs?: number,
): McpToolDef {
  return {
    name: PROMPT_TOOL,
    title: api.name,
    description: describe(
      api,
      `Runs the prompt "${api.name}" with these variables and returns the model's answer${
        prompt.outputSchema ? ' as JSON matching its output schema' : ''
      }.`,
    ),
    inputSchema: promptInputSchema(prompt.inputSchema),
    outputSchema: {
      type: 'object',
      properties: {
        output: outputProperty(prompt.outputSchema),
        model: { type: 'string' },
        usage: USAGE_SCHEMA,
      },
      required: ['output'],
    },
    operation: {
      method: 'post',
      pathTemplate: PROMPT_PATH,
      params: [],
      bodyArgument: null,
      bodyRequired: false,
    },
    ai: { kind: 'prompt', ...(timeoutMs === undefined ? {} : { timeoutMs }) },
  };
}

/** The tool of an AI API, for the model routes offered (at least one). */
export function chatTool(api: ApiText, models: readonly string[], timeoutMs?: number): McpToolDef {
  const [first] = models;
  return {
    name: CHAT_TOOL,
    title: api.name,
    description: describe(
      api,
      `Sends a prompt to a model through "${api.name}" and returns the model's answer. Models: ${models.join(', ')}.`,
    ),
    inputSchema: {
      type: 'object',
      properties: {
        prompt: { type: 'string', description: 'The message to the model.' },
        system: { type: 'string', description: 'Instructions the model follows while answering.' },
        model: {
          type: 'string',
          enum: [...models],
          ...(first === undefined ? {} : { default: first }),
          description: 'Which model answers.',
        },
        max_tokens: {
          type: 'integer',
          minimum: 1,
          maximum: MAX_OUTPUT_TOKENS,
          description: 'The longest answer, in tokens.',
        },
        temperature: { type: 'number', minimum: 0, maximum: 2 },
      },
      required: ['prompt'],
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        text: { type: 'string' },
        model: { type: 'string' },
        finish_reason: { type: 'string' },
        usage: USAGE_SCHEMA,
      },
      required: ['text'],
    },
    operation: {
      method: 'post',
      pathTemplate: CHAT_PATH,
      params: [],
      bodyArgument: null,
      bodyRequired: false,
    },
    ai: { kind: 'chat', models: [...models], ...(timeoutMs === undefined ? {} : { timeoutMs }) },
  };
}

const fail = (field: string, message: string): ToolRequestResult => ({
  ok: false,
  error: { field, message },
});

function jsonRequest(path: string, body: unknown): ToolRequestResult {
  return {
    ok: true,
    value: {
      method: 'post',
      path,
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    },
  };
}

/**
 * The request of an AI tool's call. A prompt's variables go as they are (the prompt API validates them
 * against its schema and answers which are wrong); a chat call is checked here, field by field.
 */
export function requestForAiTool(ai: AiToolKind, args: unknown): ToolRequestResult {
  const input = args ?? {};
  if (!isRecord(input)) return fail('arguments', 'must be an object');
  if (ai.kind === 'prompt') return jsonRequest(PROMPT_PATH, input);
  const known = new Set(['prompt', 'system', 'model', 'max_tokens', 'temperature']);
  const unknown = Object.keys(input).find((key) => !known.has(key));
  if (unknown !== undefined) return fail(unknown, 'is not an argument of this tool');
  const { prompt, system, model, max_tokens: maxTokens, temperature } = input;
  if (typeof prompt !== 'string' || prompt.trim() === '')
    return fail('prompt', 'is required (a non-empty string)');
  if (prompt.length > MAX_TEXT) return fail('prompt', `must be at most ${MAX_TEXT} characters`);
  if (system !== undefined && typeof system !== 'string') return fail('system', 'must be a string');
  if (typeof system === 'string' && system.length > MAX_TEXT)
    return fail('system', `must be at most ${MAX_TEXT} characters`);
  const chosen = model ?? ai.models[0];
  if (typeof chosen !== 'string' || !ai.models.includes(chosen))
    return fail('model', `must be one of ${ai.models.map((m) => JSON.stringify(m)).join(', ')}`);
  if (
    maxTokens !== undefined &&
    !(
      typeof maxTokens === 'number' &&
      Number.isInteger(maxTokens) &&
      maxTokens >= 1 &&
      maxTokens <= MAX_OUTPUT_TOKENS
    )
  )
    return fail('max_tokens', `must be an integer from 1 to ${MAX_OUTPUT_TOKENS}`);
  if (
    temperature !== undefined &&
    !(typeof temperature === 'number' && Number.isFinite(temperature) && temperature >= 0 && temperature <= 2)
  )
    return fail('temperature', 'must be a number from 0 to 2');
  const messages = [
    ...(typeof system === 'string' && system !== '' ? [{ role: 'system', content: system }] : []),
    { role: 'user', content: prompt },
  ];
  return jsonRequest(CHAT_PATH, {
    model: chosen,
    messages,
    ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
    ...(temperature === undefined ? {} : { temperature }),
  });
}

/** What an AI tool's successful answer says: the text for the model, and the structured content. */
export function aiToolAnswer(
  ai: AiToolKind,
  body: unknown,
): { text: string; structured: Record<string, unknown> } | null {
  if (!isRecord(body)) return null;
  if (ai.kind === 'prompt') {
    if (!('output' in body)) return null;
    const text = typeof body.output === 'string' ? body.output : JSON.stringify(body.output);
    return { text, structured: { output: body.output, model: body.model, usage: tokensOf(body.usage) } };
  }
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isRecord(choice) || !isRecord(choice.message)) return null;
  const content = choice.message.content;
  const text = typeof content === 'string' ? content : '';
  const structured: Record<string, unknown> = { text, model: body.model, usage: tokensOf(body.usage) };
  if (typeof choice.finish_reason === 'string') structured.finish_reason = choice.finish_reason;
  return { text, structured };
}

/** prompt_tokens/completion_tokens as input_tokens/output_tokens. */
function tokensOf(usage: unknown): Record<string, number> {
  if (!isRecord(usage)) return {};
  const out: Record<string, number> = {};
  if (typeof usage.prompt_tokens === 'number') out.input_tokens = usage.prompt_tokens;
  if (typeof usage.completion_tokens === 'number') out.output_tokens = usage.completion_tokens;
  return out;
}
