import type { TokenUsage } from '@portcullis/ai/types';
import type { AiLogging, ModelPrice, ModelRoute } from '@portcullis/core/ai-config';
import type { AiCallLogEntry } from '@portcullis/usage/ai-call-log';
import type { Dispatcher } from 'undici';
import type { Result } from '../result.ts';
import type { AiResponseCache } from './ai-response-cache.ts';
import type { AiRequest } from './context.ts';
import type { AiCredentials, ResolvedTarget } from './credentials.ts';
import type { AiFailure } from './errors.ts';

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
}

/**
 * What the surfaces (surfaces.ts) and prompt runs (prompt.ts) use of the AI service (service.ts, which
 * implements it): they depend on this, not on the service that dispatches to them.
 */
export interface AiCalls {
  readonly credentials: AiCredentials;
  /** the AI response cache (exact request → completion) */
  readonly responses: AiResponseCache;
  /** The dispatcher for calls made with a credential of `orgId`. */
  dispatcherFor(orgId: string): Dispatcher;
  /** Reads the request body (counted in bytesIn), bounded by the API's size policy. */
  readBody(ctx: AiRequest): Promise<Result<string, AiFailure>>;
  /** The same, as bytes (multipart uploads). */
  readBodyBytes(ctx: AiRequest): Promise<Result<Buffer, AiFailure>>;
  /** Refuses the call when a token limit or budget of the plan is already used up. */
  checkBudgets(ctx: AiRequest): Promise<AiFailure | null>;
  /** The price of the target's model (cached): fetched before streaming so metering stays sync. */
  priceOf(ctx: AiRequest, target: ResolvedTarget): Promise<ModelPrice | undefined>;
  /** Puts tokens and cost on the usage event; must run before the response's final end(). */
  meter(ctx: AiRequest, usage: TokenUsage, cost: bigint): void;
  cost(usage: TokenUsage, price: ModelPrice | undefined): bigint;
  /** After the response: adds to budget counters and queues the AiCallLog row. */
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
