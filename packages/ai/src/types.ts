import { z } from 'zod';

/*
 * The unified shapes are OpenAI's chat-completions wire format: the gateway speaks it to clients, and every
 * provider adapter translates to and from it. Requests are validated with zod; responses are produced by
 * our own translators, so plain interfaces suffice for them.
 */

const ZTextPart = z.object({ type: z.literal('text'), text: z.string() });
const ZImagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const ZAudioPart = z.object({
  type: z.literal('input_audio'),
  input_audio: z.object({ data: z.string(), format: z.string() }),
});
const ZFilePart = z.object({ type: z.literal('file'), file: z.looseObject({}) });
const ZUserContentPart = z.discriminatedUnion('type', [ZTextPart, ZImagePart, ZAudioPart, ZFilePart]);
const ZTextContent = z.union([z.string(), z.array(ZTextPart)]);

const ZToolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const ZSystemMessage = z.object({
  role: z.enum(['system', 'developer']),
  content: ZTextContent,
  name: z.string().optional(),
});
const ZUserMessage = z.object({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(ZUserContentPart)]),
  name: z.string().optional(),
});
const ZAssistantMessage = z.object({
  role: z.literal('assistant'),
  content: ZTextContent.nullish(),
  name: z.string().optional(),
  tool_calls: z.array(ZToolCall).optional(),
  refusal: z.string().nullish(),
});
const ZToolMessage = z.object({
  role: z.literal('tool'),
  content: ZTextContent,
  tool_call_id: z.string().min(1),
});

const ZChatMessage = z.discriminatedUnion('role', [
  ZSystemMessage,
  ZUserMessage,
  ZAssistantMessage,
  ZToolMessage,
]);

const ZTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z, A-Z, 0-9, underscores and dashes'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const ZToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

const ZResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const penalty = z.number().min(-2).max(2).nullish();

/**
 * POST /v1/chat/completions. Loose: fields we do not model (provider extensions such as vLLM's `top_k` or
 * OpenRouter's `provider`) are kept and forwarded to OpenAI-compatible upstreams, dropped for translated ones.
 */
export const ZChatCompletionRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(ZChatMessage).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.int().min(1).max(128).nullish(),
  max_tokens: z.int().min(1).nullish(),
  max_completion_tokens: z.int().min(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  presence_penalty: penalty,
  frequency_penalty: penalty,
  logit_bias: z.record(z.string(), z.number()).nullish(),
  seed: z.int().nullish(),
  user: z.string().optional(),
  tools: z.array(ZTool).optional(),
  tool_choice: ZToolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: ZResponseFormat.optional(),
});

/** POST /v1/embeddings */
export const ZEmbeddingRequest = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(2048),
    z.array(z.int()).min(1),
    z.array(z.array(z.int()).min(1)).min(1).max(2048),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.int().min(1).optional(),
  user: z.string().optional(),
});

export type ChatMessage = z.infer<typeof ZChatMessage>;
export type UserContentPart = z.infer<typeof ZUserContentPart>;
export type TextPart = z.infer<typeof ZTextPart>;
export type ToolCall = z.infer<typeof ZToolCall>;
export type ToolDefinition = z.infer<typeof ZTool>;
export type ToolChoice = z.infer<typeof ZToolChoice>;
export type ChatCompletionRequest = z.infer<typeof ZChatCompletionRequest>;
export type EmbeddingRequest = z.infer<typeof ZEmbeddingRequest>;

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

export interface AssistantOutputMessage {
  role: 'assistant';
  content: string | null;
  refusal?: string | null;
  tool_calls?: ToolCall[];
}

/**
 * A gateway extension to OpenAI's choices (named after Anthropic's field): the caller's stop sequence
 * that ended the choice, present only when the provider says which one did (Anthropic's `stop_sequence`,
 * vLLM's `stop_reason`). OpenAI's own `finish_reason: "stop"` does not tell a stop sequence from a natural
 * end, so it is never guessed.
 */
interface StopSequenceField {
  stop_sequence?: string;
}

export interface ChatCompletionChoice extends StopSequenceField {
  index: number;
  message: AssistantOutputMessage;
  finish_reason: FinishReason | null;
  logprobs: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage?: CompletionUsage;
  system_fingerprint?: string | null;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  refusal?: string | null;
  tool_calls?: ToolCallDelta[];
}

interface ChatCompletionChunkChoice extends StopSequenceField {
  index: number;
  delta: ChunkDelta;
  finish_reason: FinishReason | null;
  logprobs?: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChatCompletionChunkChoice[];
  usage?: CompletionUsage | null;
  system_fingerprint?: string | null;
}

interface Embedding {
  object: 'embedding';
  index: number;
  embedding: number[] | string;
}

export interface EmbeddingResponse {
  object: 'list';
  data: Embedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface ModelInfo {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface ModelList {
  object: 'list';
  data: ModelInfo[];
}

/** OpenAI's error envelope, which the official clients parse into typed exceptions. */
export interface OpenAIErrorBody {
  /** `rule`: a gateway extension naming the guardrail that refused the call */
  error: { message: string; type: string; param: string | null; code: string | null; rule?: string };
}

/**
 * Token counts for metering. `estimated` when any part of them was counted by the gateway's tokenizer
 * rather than reported by the provider (e.g. a cancelled stream: the provider's input count, the output
 * estimated).
 */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedPromptTokens?: number;
  estimated: boolean;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
