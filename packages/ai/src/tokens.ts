import type { ChatMessage, ToolCall, ToolDefinition, UserContentPart } from './types.ts';

/*
 * Token estimates for when a provider reports no usage. Always an estimate: other vendors' tokenizers
 * differ from OpenAI's, and chat framing is approximated. The BPE tables are large (loading one takes
 * ~0.5 s of CPU and tens of MB), so they load lazily, once, and the gateway can warm them at boot with
 * `loadTokenizer`; until one is loaded, estimates fall back to a characters-per-token heuristic.
 */

export type TokenizerEncoding = 'o200k_base' | 'cl100k_base';

export interface TokenEstimate {
  tokens: number;
  estimated: true;
  /** which tokenizer counted, or 'heuristic' when its table was not loaded yet */
  method: TokenizerEncoding | 'heuristic';
}

interface Encoder {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
}

const encoders = new Map<TokenizerEncoding, Encoder>();
const loading = new Map<TokenizerEncoding, Promise<void>>();
// User text may legitimately contain "<|endoftext|>"; count it as text instead of refusing.
const NO_SPECIAL_TOKENS = { disallowedSpecial: new Set<string>() };

/** OpenAI's model families since GPT-4o use o200k; everything else is approximated with cl100k. */
export function encodingForModel(model: string): TokenizerEncoding {
  const name = model.toLowerCase().slice(model.lastIndexOf('/') + 1);
  return /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss|codex)/.test(name)
    ? 'o200k_base'
    : 'cl100k_base';
}

/** Loads the tokenizer a model needs (idempotent). Await it before estimates that must be exact-ish. */
export function loadTokenizer(modelOrEncoding: string): Promise<void> {
  const encoding: TokenizerEncoding =
    modelOrEncoding === 'o200k_base' || modelOrEncoding === 'cl100k_base'
      ? modelOrEncoding
      : encodingForModel(modelOrEncoding);
  if (encoders.has(encoding)) return Promise.resolve();
  let pending = loading.get(encoding);
  if (!pending) {
    const imported: Promise<Encoder> =
      encoding === 'o200k_base'
        ? import('gpt-tokenizer/encoding/o200k_base')
        : import('gpt-tokenizer/encoding/cl100k_base');
    pending = imported.then((encoder) => {
      encoders.set(encoding, encoder);
    });
    loading.set(encoding, pending);
  }
  return pending;
}

export const isTokenizerLoaded = (model: string): boolean => encoders.has(encodingForModel(model));

function countText(text: string, encoder: Encoder | undefined): number {
  if (text.length === 0) return 0;
  return encoder ? encoder.countTokens(text, NO_SPECIAL_TOKENS) : Math.ceil(text.length / 4);
}

// Framing per OpenAI's published accounting for chat models: each message costs a few tokens around its
// content, a name one more, and the reply is primed with three.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;
// Images: OpenAI bills 85 tokens for a low-detail image and 85 + 170 per 512px tile otherwise; without
// the image's size we assume a 2x2-tile image.
const LOW_DETAIL_IMAGE = 85;
const DEFAULT_IMAGE = 85 + 170 * 4;

function countParts(parts: readonly UserContentPart[] | readonly { text: string }[], encoder?: Encoder) {
  let tokens = 0;
  for (const part of parts) {
    if ('text' in part && typeof part.text === 'string') tokens += countText(part.text, encoder);
    else if ('type' in part && part.type === 'image_url') {
      tokens += part.image_url.detail === 'low' ? LOW_DETAIL_IMAGE : DEFAULT_IMAGE;
    }
  }
  return tokens;
}

function countToolCalls(calls: readonly ToolCall[], encoder?: Encoder): number {
  let tokens = 0;
  for (const call of calls) {
    tokens += TOKENS_PER_MESSAGE + countText(call.function.name, encoder);
    tokens += countText(call.function.arguments, encoder);
  }
  return tokens;
}

function countMessages(messages: readonly ChatMessage[], encoder?: Encoder): number {
  let tokens = REPLY_PRIMING;
  for (const message of messages) {
    tokens += TOKENS_PER_MESSAGE;
    const content = message.content;
    if (typeof content === 'string') tokens += countText(content, encoder);
    else if (Array.isArray(content)) tokens += countParts(content, encoder);
    if ('name' in message && message.name) tokens += TOKENS_PER_NAME + countText(message.name, encoder);
    if (message.role === 'assistant' && message.tool_calls) {
      tokens += countToolCalls(message.tool_calls, encoder);
    }
  }
  return tokens;
}

/**
 * Estimates the tokens of a text or of a conversation (plus the tool definitions sent with it) as the
 * model's tokenizer family would count them.
 */
export function estimateTokens(
  input: string | readonly ChatMessage[],
  model: string,
  tools?: readonly ToolDefinition[],
): TokenEstimate {
  const encoding = encodingForModel(model);
  const encoder = encoders.get(encoding);
  if (!encoder) void loadTokenizer(encoding).catch(() => undefined);
  let tokens = typeof input === 'string' ? countText(input, encoder) : countMessages(input, encoder);
  if (tools && tools.length > 0) tokens += countText(JSON.stringify(tools), encoder);
  return { tokens, estimated: true, method: encoder ? encoding : 'heuristic' };
}

/** Estimates completion tokens from generated text and tool calls (streams without usage). */
export function estimateCompletionTokens(
  text: string,
  toolCalls: readonly { name: string; arguments: string }[],
  model: string,
): TokenEstimate {
  const encoding = encodingForModel(model);
  const encoder = encoders.get(encoding);
  if (!encoder) void loadTokenizer(encoding).catch(() => undefined);
  let tokens = countText(text, encoder);
  for (const call of toolCalls) {
    tokens += countText(call.name, encoder) + countText(call.arguments, encoder);
  }
  return { tokens, estimated: true, method: encoder ? encoding : 'heuristic' };
}
