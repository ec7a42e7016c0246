import { z } from 'zod';
import { openAIError } from '../../errors.ts';
import type { ChatCompletionRequest, OpenAIErrorBody } from '../../types.ts';
import { formatParamPath, type Validated } from '../../validate.ts';
import { itemsToMessages } from './messages.ts';
import { unsupportedFeature } from './unsupported.ts';

/*
 * The OpenAI Responses surface (POST /v1/responses): a Responses request is validated here and turned
 * into the unified chat-completions request, so every provider — OpenAI included — serves it through the
 * same routing and adapters (one code path: OpenAI targets are called on chat completions too). The
 * conversation of a stored earlier response (previous_response_id) arrives as input items ahead of the
 * request's own; response.ts and stream.ts turn the unified answer back into Responses shapes.
 */

const ZInputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const ZInputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().min(1),
  detail: z.enum(['auto', 'low', 'high']).optional(),
});
// An assistant turn fed back (an earlier response's output message).
const ZOutputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const ZRefusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

const ZMessageItem = z.looseObject({
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([
    z.string(),
    z.array(z.discriminatedUnion('type', [ZInputText, ZInputImage, ZOutputText, ZRefusal])),
  ]),
});
const ZFunctionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
const ZFunctionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(z.discriminatedUnion('type', [ZInputText, ZInputImage]))]),
});
// Earlier turns' reasoning is echoed back by clients; it has no unified equivalent and is dropped.
const ZReasoningItem = z.looseObject({ type: z.literal('reasoning') });

const ZInputItem = z.discriminatedUnion('type', [
  ZMessageItem,
  ZFunctionCallItem,
  ZFunctionCallOutputItem,
  ZReasoningItem,
]);

const ZTextFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().optional(),
    strict: z.boolean().nullish(),
  }),
]);

const ZResponsesRequest = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(ZInputItem).min(1)]),
  instructions: z.string().nullish(),
  tools: z
    .array(
      z.looseObject({
        type: z.literal('function'),
        name: z
          .string()
          .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z, A-Z, 0-9, underscores and dashes'),
        description: z.string().nullish(),
        parameters: z.record(z.string(), z.unknown()).nullish(),
        strict: z.boolean().nullish(),
      }),
    )
    .optional(),
  tool_choice: z
    .union([
      z.enum(['none', 'auto', 'required']),
      z.object({ type: z.literal('function'), name: z.string().min(1) }),
    ])
    .optional(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.looseObject({ format: ZTextFormat.optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_output_tokens: z.int().min(1).nullish(),
  stream: z.boolean().nullish(),
  previous_response_id: z.string().min(1).max(200).nullish(),
  store: z.boolean().nullish(),
  metadata: z
    .record(z.string().max(64), z.string().max(512))
    .refine((metadata) => Object.keys(metadata).length <= 16, 'at most 16 keys')
    .nullish(),
  user: z.string().max(256).nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  reasoning: z.looseObject({ effort: z.string().max(32).nullish() }).nullish(),
});

export type ResponsesRequest = z.infer<typeof ZResponsesRequest>;
export type ResponseInputItem = z.infer<typeof ZInputItem>;

const invalid = (message: string, param: string | null, code: string | null): Validated<never> => ({
  ok: false,
  error: openAIError(message, 'invalid_request_error', param, code),
});

/** Input items without `type` (the "easy" message form `{role, content}`) as message items. */
function withItemTypes(body: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(body.input)) return body;
  const input = body.input.map((item: unknown) =>
    typeof item === 'object' && item !== null && !('type' in item) && 'role' in item
      ? { ...item, type: 'message' }
      : item,
  );
  return { ...body, input };
}

/** The value at a zod issue's path, to tell a missing parameter from a wrong one (unions do not say). */
function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

type Issue = z.core.$ZodIssue;

/**
 * The most specific issue: of a union (a string or a list of items), the branch that got furthest into
 * the value, so "input[0].call_id is missing" is reported rather than "input is invalid".
 */
function deepestIssue(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: Issue = issue;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first) continue;
    const candidate = deepestIssue({ ...first, path: [...issue.path, ...first.path] } as Issue);
    if (candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

function zodError(error: z.ZodError, body: unknown): OpenAIErrorBody {
  const first = error.issues[0];
  if (!first) return openAIError('Invalid request body.', 'invalid_request_error');
  const issue = deepestIssue(first);
  const param = formatParamPath(issue.path);
  if (valueAt(body, issue.path) === undefined) {
    return openAIError(
      `Missing required parameter: '${param}'.`,
      'invalid_request_error',
      param,
      'missing_required_parameter',
    );
  }
  const where = param ? `Invalid value for '${param}'` : 'Invalid request body';
  return openAIError(`${where}: ${issue.message}.`, 'invalid_request_error', param || null, issue.code);
}

/** Validates a POST /v1/responses body (already JSON-parsed); features it cannot serve are 400s naming them. */
export function parseResponsesRequest(body: unknown): Validated<ResponsesRequest> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid('The request body must be a JSON object.', null, null);
  }
  const typed = withItemTypes(body as Record<string, unknown>);
  const unsupported = unsupportedFeature(typed);
  if (unsupported) return invalid(unsupported.message, unsupported.param, 'unsupported_parameter');
  const parsed = ZResponsesRequest.safeParse(typed);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: zodError(parsed.error, typed) };
}

/** The request's own input as items (a string input is one user message), as a stored response keeps them. */
export function inputItems(request: ResponsesRequest): ResponseInputItem[] {
  if (typeof request.input !== 'string') return request.input;
  return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: request.input }] }];
}

/** Stored conversation items read back; anything not an input item (never written by the gateway) is dropped. */
export function readStoredItems(value: unknown): ResponseInputItem[] {
  const parsed = z.array(z.unknown()).safeParse(value);
  if (!parsed.success) return [];
  const items: ResponseInputItem[] = [];
  for (const raw of parsed.data) {
    const item = ZInputItem.safeParse(raw);
    if (item.success) items.push(item.data);
  }
  return items;
}

/**
 * The Responses request as the unified request `routeChat` takes. `history` is the stored conversation
 * of previous_response_id (its instructions are not carried over, as OpenAI documents).
 */
export function responsesToUnified(
  request: ResponsesRequest,
  history: readonly ResponseInputItem[],
): ChatCompletionRequest {
  const messages = itemsToMessages([...history, ...inputItems(request)]);
  if (request.instructions) messages.unshift({ role: 'system', content: request.instructions });
  const unified: ChatCompletionRequest = { model: request.model, messages };
  if (request.temperature != null) unified.temperature = request.temperature;
  if (request.top_p != null) unified.top_p = request.top_p;
  if (request.max_output_tokens != null) unified.max_completion_tokens = request.max_output_tokens;
  if (request.stream) unified.stream = true;
  if (request.user) unified.user = request.user;
  // Chat completions' name for it: forwarded to OpenAI-compatible targets, dropped by translated ones.
  if (request.reasoning?.effort) unified.reasoning_effort = request.reasoning.effort;
  if (request.tools?.length) {
    unified.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        ...(tool.parameters ? { parameters: tool.parameters } : {}),
        ...(tool.strict != null ? { strict: tool.strict } : {}),
      },
    }));
    const choice = request.tool_choice;
    if (choice) {
      unified.tool_choice =
        typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
    }
    if (request.parallel_tool_calls === false) unified.parallel_tool_calls = false;
  }
  const format = request.text?.format;
  if (format?.type === 'json_object') unified.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    unified.response_format = {
      type: 'json_schema',
      json_schema: {
        name: format.name,
        schema: format.schema,
        ...(format.description ? { description: format.description } : {}),
        ...(format.strict != null ? { strict: format.strict } : {}),
      },
    };
  }
  return unified;
}
