import type { z } from 'zod';
import { openAIError } from './errors.ts';
import {
  type ChatCompletionRequest,
  type EmbeddingRequest,
  type OpenAIErrorBody,
  ZChatCompletionRequest,
  ZEmbeddingRequest,
} from './types.ts';

export type Validated<T> = { ok: true; value: T } | { ok: false; error: OpenAIErrorBody };

/** `messages[0].content`, the way OpenAI names parameters in its 400s. */
export function formatParamPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** The first zod issue as OpenAI's 400 body: the message names the parameter, `param` points at it. */
function zodIssueToOpenAIError(error: z.ZodError): OpenAIErrorBody {
  const issue = error.issues[0];
  if (!issue) return openAIError('Invalid request body.', 'invalid_request_error');
  const param = formatParamPath(issue.path);
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  if (missing) {
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

export function validate<T>(schema: z.ZodType<T>, body: unknown): Validated<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      error: openAIError('The request body must be a JSON object.', 'invalid_request_error'),
    };
  }
  const parsed = schema.safeParse(body);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: zodIssueToOpenAIError(parsed.error) };
}

/** Validates a POST /v1/chat/completions body (already JSON-parsed). */
export const parseChatRequest = (body: unknown): Validated<ChatCompletionRequest> =>
  validate(ZChatCompletionRequest, body);

/** Validates a POST /v1/embeddings body (already JSON-parsed). */
export const parseEmbeddingRequest = (body: unknown): Validated<EmbeddingRequest> =>
  validate(ZEmbeddingRequest, body);

/**
 * How deep a request body may nest. Adapters walk tool and response schemas recursively (Gemini's schema
 * cleaner, Anthropic's structured-output tool) and a body nested thousands of levels overflowed the
 * stack; real requests — messages, content parts, JSON Schemas — stay far below this.
 */
export const MAX_BODY_DEPTH = 64;

/** The nesting depth of a JSON text, counted without parsing it (brackets outside strings). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** JSON.parse that answers OpenAI's 400 instead of throwing, and refuses bodies nested too deep. */
export function parseJsonBody(text: string): Validated<unknown> {
  if (jsonDepth(text) > MAX_BODY_DEPTH) {
    return {
      ok: false,
      error: openAIError(
        `The request body nests deeper than ${MAX_BODY_DEPTH} levels.`,
        'invalid_request_error',
        null,
        'body_too_deep',
      ),
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return {
      ok: false,
      error: openAIError(
        'We could not parse the JSON body of your request. The body must be valid JSON.',
        'invalid_request_error',
      ),
    };
  }
}
