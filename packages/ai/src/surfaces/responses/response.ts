import { randomBytes } from 'node:crypto';
import type { ChatCompletion, FinishReason, TokenUsage } from '../../types.ts';
import type { ResponsesRequest } from './request.ts';

/*
 * Responses shapes the gateway answers with: the Response object (non-streamed body, stream lifecycle
 * events, GET /v1/responses/{id}) and its output items.
 */

interface OutputText {
  type: 'output_text';
  text: string;
  annotations: never[];
  logprobs: never[];
}

export interface OutputMessageItem {
  type: 'message';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  role: 'assistant';
  content: OutputText[];
}

export interface FunctionCallItem {
  type: 'function_call';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  call_id: string;
  name: string;
  arguments: string;
}

type OutputItem = OutputMessageItem | FunctionCallItem;

interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  background: false;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  metadata: Record<string, string>;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  store: boolean;
  temperature: number | null;
  text: { format: Record<string, unknown> };
  tool_choice: NonNullable<ResponsesRequest['tool_choice']>;
  tools: NonNullable<ResponsesRequest['tools']>;
  top_p: number | null;
  truncation: 'auto' | 'disabled';
  usage: ResponsesUsage | null;
  user: string | null;
}

const randomId = (prefix: string): string => `${prefix}_${randomBytes(24).toString('hex')}`;
export const newResponseId = (): string => randomId('resp');
export const newMessageId = (): string => randomId('msg');
export const newFunctionCallId = (): string => randomId('fc');

function responsesUsage(usage: TokenUsage): ResponsesUsage {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedPromptTokens ?? 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

/** A Response for `request`, in progress and without output: what response.created announces. */
export function startResponse(id: string, request: ResponsesRequest, createdAt: number): ResponseObject {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    metadata: request.metadata ?? {},
    model: request.model,
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    store: request.store ?? true,
    temperature: request.temperature ?? null,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? null,
    truncation: request.truncation ?? 'disabled',
    usage: null,
    user: request.user ?? null,
  };
}

/** How a finished response ends: a length cut or a filter make it incomplete, as OpenAI reports them. */
export function finishResponse(
  response: ResponseObject,
  finish: FinishReason | null,
  usage: TokenUsage,
): ResponseObject {
  const reason =
    finish === 'length' ? 'max_output_tokens' : finish === 'content_filter' ? 'content_filter' : null;
  const status = reason ? 'incomplete' : 'completed';
  return {
    ...response,
    status,
    incomplete_details: reason ? { reason } : null,
    output: response.output.map((item) => ({ ...item, status: reason ? 'incomplete' : 'completed' })),
    usage: responsesUsage(usage),
  };
}

const textItem = (id: string, text: string): OutputMessageItem => ({
  type: 'message',
  id,
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
});

/** A unified completion (first choice) as the finished Response. */
export function completionToResponse(
  response: ResponseObject,
  completion: ChatCompletion,
  usage: TokenUsage,
): ResponseObject {
  const choice = completion.choices[0];
  const output: OutputItem[] = [];
  const text = choice?.message.content;
  if (text) output.push(textItem(newMessageId(), text));
  for (const call of choice?.message.tool_calls ?? []) {
    output.push({
      type: 'function_call',
      id: newFunctionCallId(),
      status: 'completed',
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    });
  }
  return finishResponse({ ...response, output }, choice?.finish_reason ?? null, usage);
}
