import { sendJson } from '@portcullis/ai/respond';
import { countRequestTokens } from '@portcullis/ai/tokens';
import type { ChatCompletionRequest, ChatMessage } from '@portcullis/ai/types';
import { type ModelRoute, type PromptConfig, renderTemplate } from '@portcullis/core/ai-config';
import { choosePrompt } from '../config/prompt-versions.ts';
import { type GatewayProblem, problem, sendProblem } from '../http/problem.ts';
import type { RequestValidator } from '../policies/openapi-validate.ts';
import type { AttemptBudget } from './attempt-budget.ts';
import { type AiCalls, type CallWorstCase, findRoute, providerCallSignal } from './calls.ts';
import type { AiOutcome, AiRequest } from './context.ts';
import { failureCode, failureFromCall } from './errors.ts';
import { blockProblem } from './guardrails/failures.ts';
import { GuardrailRun } from './guardrails/guard.ts';
import { schemaValidator, validateJsonText } from './guardrails/json-schema.ts';
import { routeChat } from './routing.ts';
import { holding, reserveAttempts, tokenizerModel } from './surface-calls.ts';

/*
 * A PROMPT API: POST /{org}/{api}/v1/run with the template variables as a JSON object. The body is
 * validated against the prompt's input schema (the same JSON-schema validator as OpenAPI request
 * validation), the templates are rendered, the prompt's model route is called, and with an output schema
 * the answer is asked for as structured output and must satisfy it. Plain REST: errors are problem+json.
 */

interface PromptValidators {
  input: RequestValidator;
  output: RequestValidator | null;
}

const RUN_PATH = '/v1/run';
/** Which published version answered (absent when the working copy did: no release). */
const VERSION_HEADER = 'x-portcullis-prompt-version';
/** Compiled per loaded prompt document: the record is replaced whenever the API changes. */
const validators = new WeakMap<PromptConfig, PromptValidators>();

function validatorsFor(prompt: PromptConfig): PromptValidators {
  let found = validators.get(prompt);
  if (!found) {
    found = {
      input: schemaValidator(prompt.inputSchema),
      output: prompt.outputSchema ? schemaValidator(prompt.outputSchema) : null,
    };
    validators.set(prompt, found);
  }
  return found;
}

const validate = validateJsonText;

export async function runPrompt(ai: AiCalls, ctx: AiRequest): Promise<AiOutcome> {
  const refuse = (p: GatewayProblem): AiOutcome => {
    sendProblem(ctx.res, { ...p, headers: { ...ctx.limitHeaders, ...p.headers } }, ctx.requestId);
    return { status: ctx.res.statusCode, errorCode: p.code, upstreamMs: null };
  };
  const rest = ctx.rest.endsWith('/') ? ctx.rest.slice(0, -1) : ctx.rest;
  if (rest !== RUN_PATH) {
    return refuse(problem('operation_not_found', `A prompt API answers POST ${RUN_PATH} only.`));
  }
  if (ctx.req.method !== 'POST') {
    return refuse(problem('method_not_allowed', `Use POST ${RUN_PATH}.`, { allow: 'POST' }));
  }
  if (ctx.route.ai?.kind !== 'PROMPT') {
    return refuse(problem('ai_config_invalid', `This prompt API is misconfigured: ${ctx.route.aiInvalid}.`));
  }
  // The version is picked per call, before anything is answered, so every answer can say which it was.
  const { prompt, version } = choosePrompt(ctx.route.ai);
  if (version !== null) ctx.res.setHeader(VERSION_HEADER, String(version));
  let compiled: PromptValidators;
  try {
    compiled = validatorsFor(prompt);
  } catch (error) {
    return refuse(
      problem('ai_config_invalid', `The prompt's JSON schema does not compile: ${String(error)}`),
    );
  }
  const text = await ai.readBody(ctx);
  if (!text.ok) return refuse(problem('payload_too_large', text.error.body.error.message));
  const errors = validate(compiled.input, Buffer.from(text.value));
  const variables = errors.length === 0 ? (JSON.parse(text.value) as unknown) : null;
  if (errors.length > 0 || typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
    const fields =
      errors.length > 0 ? errors : [{ in: 'body' as const, name: '', message: 'must be an object' }];
    const summary = fields.map((f) => `${f.name || 'body'} ${f.message}`).join('; ');
    return refuse({ ...problem('request_invalid', `The input is invalid: ${summary}.`), errors: fields });
  }
  const route = findRoute(prompt.routes, prompt.model);
  if (!route) return refuse(problem('ai_config_invalid', `The prompt's model ${prompt.model} has no route.`));
  const vars = variables as Record<string, unknown>;
  const messages: ChatMessage[] = [];
  const system = renderTemplate(prompt.system, vars);
  if (system) messages.push({ role: 'system', content: system });
  messages.push({ role: 'user', content: renderTemplate(prompt.user, vars) });
  const request: ChatCompletionRequest = { model: prompt.model, messages };
  if (prompt.temperature !== undefined) request.temperature = prompt.temperature;
  if (prompt.outputSchema) {
    request.response_format = {
      type: 'json_schema',
      json_schema: { name: 'output', schema: prompt.outputSchema, strict: true },
    };
  }
  const guard = new GuardrailRun(prompt.guardrails, ai, ctx);
  const input = await guard.checkInput(request);
  if (!input.ok) {
    // refused before the provider call and before any hold on the limits: metered with no tokens
    const out = refuse(blockProblem(input.block));
    ai.finish(ctx, prompt.logging, {
      surface: 'prompt',
      model: prompt.model,
      stream: false,
      ttftMs: null,
      requestText: text.value,
      target: null,
      attempts: 0,
      status: out.status,
      errorCode: 'guardrail_blocked',
      usage: null,
      costMicros: 0n,
      reservation: null,
      promptVersion: version,
      guardrails: guard.decisions,
    });
    return out;
  }
  const checkedRequest = input.request;
  const worst: CallWorstCase = {
    route,
    inputTokens: () => countRequestTokens(checkedRequest, tokenizerModel(route, prompt.model)),
    maxOutputTokens: prompt.maxTokens ?? null,
  };
  const reserved = await reserveAttempts(ai, ctx, worst);
  if (!reserved.ok) {
    const budget = reserved.error;
    const code = budget.body.error.code === 'budget_exceeded' ? 'budget_exceeded' : 'token_limit_exceeded';
    return refuse(problem(code, budget.body.error.message, budget.headers));
  }
  const reservation = reserved.value;
  const maxTokens = prompt.maxTokens ?? reservation.maxTokens;
  if (maxTokens !== undefined) checkedRequest.max_tokens = maxTokens;
  const call = { prompt, version, route, compiled, guard, reservation, request: checkedRequest };
  return holding(reservation, () => callPrompt(ai, ctx, { ...call, requestText: text.value }, refuse));
}

interface PromptCall {
  prompt: PromptConfig;
  /** the released version that runs; null: the working copy */
  version: number | null;
  route: ModelRoute;
  compiled: PromptValidators;
  guard: GuardrailRun;
  request: ChatCompletionRequest;
  requestText: string;
  reservation: AttemptBudget;
}

async function callPrompt(
  ai: AiCalls,
  ctx: AiRequest,
  { prompt, version, route, compiled, guard, request, requestText, reservation }: PromptCall,
  refuse: (p: GatewayProblem) => AiOutcome,
): Promise<AiOutcome> {
  const signal = providerCallSignal();
  const routed = await routeChat(route, ctx, ai, request, signal, reservation.hooks);
  const base = {
    surface: 'prompt' as const,
    model: prompt.model,
    stream: false,
    ttftMs: null,
    requestText,
    target: routed.target,
    attempts: routed.attempts,
    reservation,
    promptVersion: version,
    guardrails: guard.decisions,
  };
  if (!routed.outcome.ok || routed.outcome.value.kind !== 'completion') {
    const failure = routed.outcome.ok ? null : failureFromCall(routed.outcome.error);
    const detail = failure ? failure.body.error.message : 'The provider answered with a stream.';
    const timedOut = !routed.outcome.ok && routed.outcome.error.kind === 'timeout';
    // every target of a usage-based route at its limit: the gateway refused, no provider was called
    const limited = failure?.status === 429 && routed.attempts === 0;
    const p = limited
      ? problem('rate_limited', detail, failure.headers)
      : problem(timedOut ? 'upstream_timeout' : 'provider_error', `The model call failed: ${detail}`);
    const out = refuse(p);
    ai.finish(ctx, prompt.logging, {
      ...base,
      status: out.status,
      errorCode: failure ? failureCode(failure) : p.code,
      usage: null,
      costMicros: 0n,
    });
    return out;
  }
  const result = routed.outcome.value;
  const price = routed.target ? await ai.priceOf(ctx, routed.target) : undefined;
  const cost = ai.cost(result.usage, price);
  ai.meter(ctx, result.usage, cost);
  const checked = await guard.checkOutput(result.completion);
  if (!checked.ok) {
    const out = refuse(blockProblem(checked.block));
    ai.finish(ctx, prompt.logging, {
      ...base,
      status: out.status,
      errorCode: 'guardrail_blocked',
      usage: result.usage,
      costMicros: cost,
      responseText: result.completion.choices[0]?.message.content ?? '',
    });
    return out;
  }
  const content = checked.completion.choices[0]?.message.content ?? '';
  const usage = {
    prompt_tokens: result.usage.promptTokens,
    completion_tokens: result.usage.completionTokens,
    total_tokens: result.usage.totalTokens,
    estimated: result.usage.estimated,
  };
  const finish = (status: number, errorCode: string | null, responseText: string) =>
    ai.finish(ctx, prompt.logging, {
      ...base,
      status,
      errorCode,
      usage: result.usage,
      costMicros: cost,
      responseText,
    });
  let output: unknown = content;
  if (compiled.output) {
    const outputErrors = validate(compiled.output, Buffer.from(content));
    if (outputErrors.length > 0) {
      const summary = outputErrors.map((f) => `${f.name || 'output'} ${f.message}`).join('; ');
      const out = refuse({
        ...problem(
          'invalid_model_output',
          `The model's answer does not match the output schema: ${summary}.`,
        ),
        errors: outputErrors,
      });
      finish(out.status, 'invalid_model_output', content);
      return out;
    }
    output = JSON.parse(content) as unknown;
  }
  const body = { output, model: routed.target?.model ?? result.completion.model, usage };
  sendJson(ctx.res, 200, body, {
    ...ctx.limitHeaders,
    'x-request-id': ctx.requestId,
    'cache-control': 'no-store',
  });
  finish(200, null, content);
  return { status: 200, errorCode: null, upstreamMs: Math.round(result.latencyMs) };
}
