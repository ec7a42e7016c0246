import type { GuardrailDecision } from '@portcullis/ai/guardrails/text-rules';
import type { TokenUsage } from '@portcullis/ai/types';
import type { AiLogging, ModelPrice, ModelRoute } from '@portcullis/core/ai-config';
import type { Units } from '@portcullis/core/ai-unit-costs';
import type { AiCallLogEntry } from '@portcullis/usage/ai-call-log';
import type { Dispatcher } from 'undici';
import type { Result } from '../result.ts';
import type { AiResponseCache } from './ai-response-cache.ts';
import type { Reservation } from './budgets.ts';
import type { AiRequest } from './context.ts';
import type { AiCredentials, ResolvedTarget } from './credentials.ts';
import type { AiFailure } from './errors.ts';
import type { AiResponseStore } from './responses-store.ts';
import type { AiRouting } from './routing.ts';

/** What one finished AI call leaves behind: usage for metering, budgets and the call log. */
export interface FinishedCall {
  surface: AiCallLogEntry['surface'];
  model: string;
  stream: boolean;
  status: number;
  errorCode: string | null;
  target: ResolvedTarget | null;
  attempts: number;
  usage: TokenUsage | null;
  costMicros: bigint;
  ttftMs: number | null;
  requestText?: string | undefined;
  responseText?: string | undefined;
  /** the call's hold on the plan's limits: finish() settles it to `usage`, or releases it without usage */
  reservation: Reservation | null;
  /** what the guardrails decided (blocks, redactions, flags, checks that could not run) */
  guardrails?: readonly GuardrailDecision[] | undefined;
  /** prompt APIs: the released version that ran (null or absent: the working copy) */
  promptVersion?: number | null;
}

/** A call's worst case, as `AiCalls.reserve` holds it against the plan's limits before the provider call. */
export interface CallWorstCase {
  /** the model route the call goes to: its targets' prices and output caps */
  route: ModelRoute;
  /**
   * the request's input tokens as packages/ai tokens.ts counts them; a function is called only when the
   * plan has limits (counting a long prompt costs CPU an unlimited call does not need to spend)
   */
  inputTokens: number | (() => Promise<number>);
  /** the caller's output cap (max_tokens, max_completion_tokens); null when it gave none; 0 when none can come */
  maxOutputTokens: number | null;
  /** choices asked for (`n`), each up to the output cap */
  choices?: number | undefined;
  /** what the call is priced per besides tokens (images asked for, seconds of audio, one call) */
  units?: Units | undefined;
}

/** A reservation as a surface uses it. */
export interface ReservedCall extends Reservation {
  /** set when a limit applies and the caller gave no output cap: send it to the provider as max_tokens */
  readonly maxTokens: number | undefined;
}

/**
 * What the surfaces (surfaces.ts) and prompt runs (prompt.ts) use of the AI service (service.ts, which
 * implements it): they depend on this, not on the service that dispatches to them.
 */
export interface AiCalls {
  readonly credentials: AiCredentials;
  /** the AI response cache (exact request → completion) */
  readonly responses: AiResponseCache;
  /** stored answers of the /v1/responses surface (previous_response_id, GET/DELETE by id) */
  readonly responseStore: AiResponseStore;
  /** Reports a stored response that could not be written (throttled warning). */
  responseStoreFailed(error: unknown): void;
  /** target statistics and usage counters of model routing */
  readonly routing: AiRouting;
  /** The dispatcher for calls made with a credential of `orgId`. */
  dispatcherFor(orgId: string): Dispatcher;
  /** Reads the request body (counted in bytesIn), bounded by the API's size policy. */
  readBody(ctx: AiRequest): Promise<Result<string, AiFailure>>;
  /** The same, as bytes (multipart uploads). */
  readBodyBytes(ctx: AiRequest): Promise<Result<Buffer, AiFailure>>;
  /**
   * Reserves the call's worst case on the plan's token limits and budgets, or refuses it (429 in the
   * surface's shape). Every reserved call ends in finish() with the reservation (or, outside the
   * finish() path, reservation.settle / reservation.release) exactly once.
   */
  reserve(ctx: AiRequest, call: CallWorstCase): Promise<Result<ReservedCall, AiFailure>>;
  /** The price of the target's model (cached): fetched before streaming so metering stays sync. */
  priceOf(ctx: AiRequest, target: ResolvedTarget): Promise<ModelPrice | undefined>;
  /** Puts tokens and cost on the usage event; must run before the response's final end(). */
  meter(ctx: AiRequest, usage: TokenUsage, cost: bigint): void;
  cost(usage: TokenUsage, price: ModelPrice | undefined): bigint;
  /** After the response: settles (or releases) the call's reservation and queues the AiCallLog row. */
  finish(ctx: AiRequest, logging: AiLogging, call: FinishedCall): void;
}

/** The route a caller's model name selects, if any. */
export const findRoute = (routes: readonly ModelRoute[], name: string): ModelRoute | undefined =>
  routes.find((r) => r.name === name);

/**
 * The signal for provider calls. A client hanging up does not abort one: the provider bills the tenant
 * for a call it has started whatever the client does, so the gateway lets it finish (bounded by the
 * route's timeouts) and meters what it really used — otherwise a consumer could have every expensive
 * answer computed and, by hanging up just before it arrives, never pay for it. A stream is cancelled as
 * soon as it is open and its client gone (packages/ai respond.ts), metered with what it used up to then.
 */
export const providerCallSignal = (): AbortSignal => new AbortController().signal;

export const surfaceOf = (rest: string): 'anthropic' | 'openai' =>
  rest === '/v1/messages' || rest === '/v1/messages/' ? 'anthropic' : 'openai';
