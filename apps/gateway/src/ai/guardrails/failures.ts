import { type AiCallError, openAIError } from '@portcullis/ai/errors';
import type { OpenAIErrorBody } from '@portcullis/ai/types';
import { type GatewayProblem, problem } from '../../http/problem.ts';
import type { AiFailure } from '../errors.ts';

/*
 * A guardrail block in each surface's error shape, with the code `guardrail_blocked` and the rule's name:
 * 400 when the input was refused (nothing reached the provider), 422 when the model's answer was.
 */

/** What refused the call: its rule, and the stage (input → 400, output → 422). */
export interface GuardrailBlock {
  rule: string;
  stage: 'input' | 'output';
  message: string;
}

const GUARDRAIL_BLOCKED = 'guardrail_blocked';

const statusOf = (block: Pick<GuardrailBlock, 'stage'>) => (block.stage === 'input' ? 400 : 422);

/** OpenAI's error object (the Anthropic surface translates it, keeping `code` and `rule`). */
function blockFailureBody(block: GuardrailBlock): OpenAIErrorBody {
  const body = openAIError(block.message, 'invalid_request_error', null, GUARDRAIL_BLOCKED);
  body.error.rule = block.rule;
  return body;
}

export const blockFailure = (block: GuardrailBlock): AiFailure => ({
  status: statusOf(block),
  body: blockFailureBody(block),
});

/**
 * A block that ends a stream already under way: the error its last event carries (the pipe of each
 * surface writes it in that surface's shape), with the 422 of a blocked answer.
 */
export const blockStreamError = (block: GuardrailBlock): AiCallError => ({
  kind: 'guardrail',
  provider: 'gateway',
  status: statusOf(block),
  upstreamStatus: null,
  retryable: false,
  retryAfterMs: null,
  body: blockFailureBody(block),
});

/** problem+json for prompt APIs. */
export const blockProblem = (block: GuardrailBlock): GatewayProblem => ({
  ...problem('guardrail_blocked', block.message),
  status: statusOf(block),
  rule: block.rule,
});
