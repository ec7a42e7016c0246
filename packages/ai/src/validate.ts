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
export function zodIssueToOpenAIError(error: z.ZodError): OpenAIErrorBody {
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

function validate<T>(schema: z.ZodType<T>, body: unknown): Validated<T> {
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

/** JSON.parse that answers OpenAI's 400 instead of throwing. */
export function parseJsonBody(text: string): Validated<unknown> {
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
