import type { ServerResponse } from 'node:http';
import { type AiCallError, errorTypeForStatus, openAIError } from '@portcullis/ai/errors';
import { toAnthropicError } from '@portcullis/ai/surfaces/anthropic/response';
import type { OpenAIErrorBody } from '@portcullis/ai/types';
import { closeAfterLingering } from '../http/linger.ts';
import { type GatewayProblem, problemStatus } from '../http/problem.ts';

/*
 * The /v1 surfaces answer errors in the shape their clients parse: OpenAI's `{error:{message,type,param,
 * code}}` (Anthropic's `{type:"error",error:{type,message}}` on /v1/messages), with the gateway's codes.
 * Prompt APIs are plain REST and keep problem+json.
 */

export type Surface = 'openai' | 'anthropic';

/** A failure of an AI request, before it becomes bytes. */
export interface AiFailure {
  status: number;
  body: OpenAIErrorBody;
  headers?: Record<string, string>;
}

/** Gateway codes as OpenAI-style clients expect them (the official clients switch on `code`). */
const CODE_FOR_PROBLEM: Partial<Record<GatewayProblem['code'], string>> = {
  key_missing: 'invalid_api_key',
  key_invalid: 'invalid_api_key',
  key_revoked: 'invalid_api_key',
  key_expired: 'invalid_api_key',
  rate_limited: 'rate_limit_exceeded',
};

export function failureFromProblem(problem: GatewayProblem): AiFailure {
  const status = problemStatus(problem.code);
  const { type } = errorTypeForStatus(status);
  return {
    status,
    body: openAIError(problem.detail, type, null, CODE_FOR_PROBLEM[problem.code] ?? problem.code),
    ...(problem.headers ? { headers: problem.headers } : {}),
  };
}

export function failureFromCall(error: AiCallError): AiFailure {
  return {
    status: error.status,
    body: error.body,
    ...(error.retryAfterMs !== null
      ? { headers: { 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)) } }
      : {}),
  };
}

export function aiFailure(
  status: number,
  code: string,
  message: string,
  options: { param?: string; headers?: Record<string, string> } = {},
): AiFailure {
  return {
    status,
    body: openAIError(message, errorTypeForStatus(status).type, options.param ?? null, code),
    ...(options.headers ? { headers: options.headers } : {}),
  };
}

export function sendAiFailure(
  res: ServerResponse,
  surface: Surface,
  failure: AiFailure,
  requestId: string,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body =
    surface === 'anthropic'
      ? toAnthropicError({
          kind: 'upstream',
          provider: 'gateway',
          status: failure.status,
          upstreamStatus: null,
          retryable: false,
          retryAfterMs: null,
          body: failure.body,
        }).body
      : failure.body;
  const text = JSON.stringify(body);
  if (failure.headers?.connection === 'close') closeAfterLingering(res);
  res.writeHead(failure.status, {
    ...extraHeaders,
    ...failure.headers,
    'x-request-id': requestId,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...(failure.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  });
  res.end(text);
}

/** The code a failure is logged under (AiCallLog.errorCode, RequestLog.errorCode). */
export const failureCode = (failure: AiFailure): string => failure.body.error.code ?? failure.body.error.type;

/** A model name that is not one of the API's routes, in OpenAI's shape. */
export const modelNotFound = (name: string): AiFailure =>
  aiFailure(404, 'model_not_found', `The model '${name}' does not exist or you do not have access to it.`, {
    param: 'model',
  });
