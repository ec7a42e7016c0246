import type {
  ChatCompletionRequest,
  ChatMessage,
  ToolCall,
  ToolDefinition,
  UserContentPart,
} from './types.ts';

/*
 * Token estimates for when a provider reports no usage. Always an estimate: other vendors' tokenizers
 * differ from OpenAI's, and chat framing is approximated. The BPE tables are large (o200k ~0.55 s of CPU
 * and ~34 MB of heap, cl100k ~0.25 s; ~70 MB RSS for both), so they load lazily, once per process: a
 * gateway serving no AI calls never pays for them. Budget reservations count through
 * `countRequestTokens` / `countTextTokens`, which wait for the table (only the first call of an encoding
 * in a process waits); the synchronous estimates fall back to a characters-per-token heuristic until
 * it is loaded.
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

// Audio: OpenAI bills about 10 tokens a second of input audio; 4 kB a second (32 kbit/s, the low end of
// speech encodings) errs towards more tokens for the usual bitrates, never fewer.
const AUDIO_BYTES_PER_TOKEN = 400;
// Documents that are not text (PDF, Office): their extracted text and page images are billed; a token per
// 4 bytes of the file overestimates the text of most documents.
const FILE_BYTES_PER_TOKEN = 4;
const TEXT_MEDIA =
  /^(text\/|application\/(json|xml|x?html|javascript|x-yaml|yaml|csv|markdown|x-ndjson)\b|[^;]*\+(json|xml)\b)/i;

/** Bytes encoded by a base64 string, without decoding it. */
const base64Bytes = (base64: string): number => {
  const trimmed = base64.replace(/\s+/g, '');
  const padding = trimmed.endsWith('==') ? 2 : trimmed.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((trimmed.length * 3) / 4) - padding);
};

/**
 * A `file` part sent inline (`file_data`: a data URL, or bare base64): text-like media counted as text,
 * anything else by size. A `file_id` (a file uploaded to the provider beforehand) is not seen by the
 * gateway and counts only its framing.
 */
function countFile(file: Record<string, unknown>, encoder?: Encoder): number {
  const data = file.file_data;
  if (typeof data !== 'string' || data.length === 0) return 0;
  const comma = data.startsWith('data:') ? data.indexOf(',') : -1;
  const header = comma === -1 ? '' : data.slice(5, comma);
  const payload = comma === -1 ? data : data.slice(comma + 1);
  const base64 = comma === -1 || /;base64$/i.test(header);
  if (TEXT_MEDIA.test(header)) {
    const text = base64 ? Buffer.from(payload, 'base64').toString('utf8') : safeDecodeUri(payload);
    return countText(text, encoder);
  }
  const bytes = base64 ? base64Bytes(payload) : Buffer.byteLength(payload);
  return Math.ceil(bytes / FILE_BYTES_PER_TOKEN);
}

function safeDecodeUri(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function countParts(parts: readonly UserContentPart[] | readonly { text: string }[], encoder?: Encoder) {
  let tokens = 0;
  for (const part of parts) {
    if ('text' in part && typeof part.text === 'string') tokens += countText(part.text, encoder);
    else if ('type' in part && part.type === 'image_url') {
      tokens += part.image_url.detail === 'low' ? LOW_DETAIL_IMAGE : DEFAULT_IMAGE;
    } else if ('type' in part && part.type === 'input_audio') {
      tokens += Math.ceil(base64Bytes(part.input_audio.data) / AUDIO_BYTES_PER_TOKEN);
    } else if ('type' in part && part.type === 'file') {
      tokens += countFile(part.file, encoder);
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

/**
 * The input of a chat request as a provider bills it: its messages (documents and audio included), its
 * tool definitions and its `response_format` schema (providers put both into the prompt). Loads the
 * model's tokenizer first (once; later calls find it loaded), so no call is counted by the heuristic.
 */
export async function countRequestTokens(
  request: Pick<ChatCompletionRequest, 'messages' | 'tools' | 'response_format'>,
  model: string,
): Promise<number> {
  await loadTokenizer(model).catch(() => undefined);
  const encoder = encoders.get(encodingForModel(model));
  let tokens = estimateTokens(request.messages, model, request.tools).tokens;
  const format = request.response_format;
  if (format?.type === 'json_schema') tokens += countText(JSON.stringify(format.json_schema), encoder);
  return tokens;
}

/** Estimates the tokens of a text (an embeddings input) after loading the model's tokenizer. */
export async function countTextTokens(text: string, model: string): Promise<number> {
  await loadTokenizer(model).catch(() => undefined);
  return estimateTokens(text, model).tokens;
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
