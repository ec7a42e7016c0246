import type { ServerResponse } from 'node:http';
import type { TokenUsage } from '@portcullis/ai/types';
import { type AiLogging, costMicros, type ModelPrice, type ModelRoute } from '@portcullis/core/ai-config';
import { worstUnitCost } from '@portcullis/core/ai-unit-costs';
import { uuidv7 } from '@portcullis/core/ids';
import type { SqlRunner } from '@portcullis/db/pg';
import type { Dispatcher } from 'undici';
import type { ConfigCache } from '../config/config-cache.ts';
import type { RouteRecord } from '../config/repository.ts';
import type { GatewayProblem } from '../http/problem.ts';
import { type Logger, throttledWarn } from '../log.ts';
import { bufferBody } from '../policies/size-limits.ts';
import { err, ok, type Result } from '../result.ts';
import { chunkLength } from '../usage/durable-end.ts';
import { AiResponseCache, type CacheRedis } from './ai-response-cache.ts';
import { MemoryBudgetStore, RedisBudgetStore } from './budget-stores.ts';
import { AiBudgets, type BudgetCallers, outputCap, worstCost } from './budgets.ts';
import { AiCallLogWriter, loggedBodies } from './call-log.ts';
import {
  type AiCalls,
  type CallWorstCase,
  type FinishedCall,
  type ReservedCall,
  surfaceOf,
} from './calls.ts';
import type { AiOutcome, AiRequest } from './context.ts';
import { AiCredentials, type ResolvedTarget } from './credentials.ts';
import { type AiFailure, aiFailure, failureFromProblem, sendAiFailure } from './errors.ts';
import { recordAiCall } from './metrics.ts';
import { runPrompt } from './prompt.ts';
import { AiResponseStore } from './responses-store.ts';
import { AiRouting } from './routing.ts';
import { MemoryRouteUsage, RedisRouteUsage } from './routing-usage.ts';
import { serveAiSurface } from './surfaces.ts';

export interface AiServiceOptions {
  cache: ConfigCache;
  /** PORTCULLIS_ENCRYPTION_KEY: decrypts provider credentials */
  encryptionKey?: string | undefined;
  redisUrl?: string | undefined;
  redisClusterNodes?: { host: string; port: number }[] | undefined;
  redisKeyPrefix: string;
  /**
   * SSRF-guarded connections to providers (tenants choose base URLs), one dispatcher per org owning the
   * credential: each admits only hosts allow-listed for that org
   */
  dispatcherFor: (orgId: string) => Dispatcher;
  callLogFlushMs: number;
  /** the gateway's batch writer (node-postgres) for AiCallLog rows */
  batchSql: SqlRunner;
  responseCacheMaxBytes: number;
  log: Logger;
  now: () => number;
}

const MAX_AI_BODY_BYTES = 10 * 1024 * 1024;

/**
 * The AI gateway behind AI and PROMPT APIs: surfaces (OpenAI and Anthropic), prompt runs, routing with
 * fallback, credentials, budgets, the AI response cache and the AI call log. The chain hands each admitted
 * request over with its usage-event fields to fill (`metered`), before the response's final end().
 */
export class AiService implements AiCalls {
  readonly credentials: AiCredentials;
  readonly budgets: AiBudgets;
  readonly responses: AiResponseCache;
  readonly responseStore: AiResponseStore;
  readonly responseStoreFailed: (error: unknown) => void;
  readonly routing: AiRouting;
  private readonly callLog: AiCallLogWriter;
  private readonly budgetStore: MemoryBudgetStore | RedisBudgetStore;

  constructor(readonly options: AiServiceOptions) {
    const warn = (message: string) => throttledWarn(options.log, message);
    this.credentials = new AiCredentials(options.cache, options.encryptionKey);
    this.budgetStore =
      options.redisUrl || options.redisClusterNodes?.length
        ? new RedisBudgetStore({
            redisUrl: options.redisUrl,
            redisClusterNodes: options.redisClusterNodes,
            keyPrefix: options.redisKeyPrefix,
            onError: warn('AI budget counters failed'),
          })
        : new MemoryBudgetStore(options.now);
    this.budgets = new AiBudgets(this.budgetStore, options.now, warn('AI budget counters failed'));
    this.responses = new AiResponseCache({
      maxBytes: options.responseCacheMaxBytes,
      now: options.now,
      redis:
        this.budgetStore instanceof RedisBudgetStore ? (this.budgetStore.client as CacheRedis) : undefined,
      onError: warn('AI response cache (Redis) failed; serving without it'),
    });
    this.responseStoreFailed = warn('AI response store (Postgres) failed: answered as not stored, or 503');
    this.responseStore = new AiResponseStore(
      options.batchSql,
      options.now,
      warn('Sweeping expired AI responses failed'),
    );
    // Usage-based routing counts on the budgets' Redis connection when there is one.
    this.routing = new AiRouting({
      usage:
        this.budgetStore instanceof RedisBudgetStore
          ? new RedisRouteUsage(this.budgetStore.client, options.now)
          : new MemoryRouteUsage(options.now),
      onUsageError: warn('AI routing usage counters (Redis) failed; picking targets without them'),
    });
    this.callLog = new AiCallLogWriter(options.batchSql, {
      flushIntervalMs: options.callLogFlushMs,
      onError: warn('AI call log flush failed; rows kept for the next flush'),
    });
    this.callLog.start();
  }

  /** The dispatcher for calls made with a credential of `orgId`. */
  dispatcherFor(orgId: string): Dispatcher {
    return this.options.dispatcherFor(orgId);
  }

  /** Serves one admitted request of an AI or PROMPT API. */
  serve(ctx: AiRequest): Promise<AiOutcome> {
    countBytesOut(ctx.res, ctx.counters);
    if (ctx.route.kind === 'PROMPT') return runPrompt(this, ctx);
    return serveAiSurface(this, ctx);
  }

  /**
   * Admission refusals on an AI API's /v1 paths in the surface's error shape; false when the route is
   * not an AI API (problem+json then, as for REST and PROMPT APIs).
   */
  sendRefusal(
    res: ServerResponse,
    route: RouteRecord | undefined,
    rest: string,
    problem: GatewayProblem,
    requestId: string,
  ): boolean {
    if (route?.kind !== 'AI') return false;
    sendAiFailure(res, surfaceOf(rest), failureFromProblem(problem), requestId);
    return true;
  }

  /** Reads the request body (counted in bytesIn), bounded by the API's size policy. */
  async readBody(ctx: AiRequest): Promise<Result<string, AiFailure>> {
    const bytes = await this.readBodyBytes(ctx);
    return bytes.ok ? ok(bytes.value.toString('utf8')) : bytes;
  }

  /** The request body as bytes (multipart uploads), bounded and counted as readBody's. */
  async readBodyBytes(ctx: AiRequest): Promise<Result<Buffer, AiFailure>> {
    const limit = ctx.route.policies.maxBodyBytes || MAX_AI_BODY_BYTES;
    const body = await bufferBody(ctx.req, limit, (length) => {
      ctx.counters.bytesIn += length;
    });
    if (body.ok) return ok(body.value);
    if (body.error === 'too_large') ctx.metered.billable = false; // as the same refusal before admission
    return err(
      body.error === 'too_large'
        ? // the rest of the body is never read: the connection ends (after a lingering close)
          aiFailure(413, 'request_too_large', `The request body exceeds ${limit} bytes.`, {
            headers: { connection: 'close' },
          })
        : aiFailure(400, 'bad_request', 'The request body broke off.'),
    );
  }

  /** The budgets' view of the caller: within the plan and subscription the call was admitted under. */
  callers(ctx: AiRequest): BudgetCallers {
    return {
      planId: ctx.subscription.planId,
      subscriptionId: ctx.subscription.id,
      keyId: ctx.key.id,
      orgId: ctx.key.consumerOrgId,
    };
  }

  /**
   * Reserves the call's worst case (input + output cap, priced at the route's most expensive target) on
   * the plan's limits; see budgets.ts.
   */
  async reserve(ctx: AiRequest, call: CallWorstCase): Promise<Result<ReservedCall, AiFailure>> {
    const limits = ctx.subscription.aiLimits ?? [];
    const prices = limits.length > 0 ? await this.routePrices(ctx.route.orgId, call.route) : [];
    const cap = outputCap(call.maxOutputTokens, prices);
    const output = cap * (call.choices ?? 1);
    const input =
      limits.length === 0
        ? 0
        : typeof call.inputTokens === 'number'
          ? call.inputTokens
          : await call.inputTokens();
    const reserved = await this.budgets.reserve(limits, this.callers(ctx), {
      tokens: input + output,
      costMicros: worstCost(input, output, prices) + worstUnitCost(prices, call.units),
    });
    if (!reserved.ok) return reserved;
    const implied = reserved.value.limited && call.maxOutputTokens === null;
    return ok({ ...reserved.value, maxTokens: implied ? cap : undefined });
  }

  /** The price rows of a route's targets (cached), in target order; a target without one costs 0. */
  private routePrices(orgId: string, route: ModelRoute): Promise<(ModelPrice | undefined)[]> {
    return Promise.all(
      route.targets.map(async (target) => {
        const credential = await this.options.cache.credential(orgId, target.credentialId);
        return credential ? this.credentials.price(orgId, credential.provider, target.model) : undefined;
      }),
    );
  }

  /** Fetches the price of the target's model (cached): done before streaming so metering stays sync. */
  async priceOf(ctx: AiRequest, target: ResolvedTarget) {
    return this.credentials.price(ctx.route.orgId, target.provider.id, target.model);
  }

  /** Puts tokens and cost on the usage event; must run before the response's final end(). */
  meter(ctx: AiRequest, usage: TokenUsage, cost: bigint): void {
    ctx.metered.tokensIn = usage.promptTokens;
    ctx.metered.tokensOut = usage.completionTokens;
    ctx.metered.costMicros = cost;
  }

  cost(usage: TokenUsage, price: Awaited<ReturnType<AiService['priceOf']>>): bigint {
    return costMicros(usage.promptTokens, usage.completionTokens, price);
  }

  /** After the response: settles (or releases) the call's reservation and queues the AiCallLog row. */
  finish(ctx: AiRequest, logging: AiLogging, call: FinishedCall): void {
    if (call.usage) {
      call.reservation?.settle(call.usage.promptTokens + call.usage.completionTokens, call.costMicros);
    } else call.reservation?.release();
    recordAiCall(ctx, call, this.options.now() - ctx.startedAt);
    this.callLog.record({
      id: uuidv7(),
      at: new Date(ctx.startedAt),
      orgId: ctx.route.orgId,
      apiId: ctx.route.apiId,
      subscriptionId: ctx.subscription.id,
      appId: ctx.key.appId,
      keyId: ctx.key.id,
      requestId: ctx.requestId,
      surface: call.surface,
      model: call.model.slice(0, 200),
      provider: call.target?.provider.id ?? null,
      providerModel: call.target?.model ?? null,
      status: call.status,
      errorCode: call.errorCode,
      stream: call.stream,
      tokensIn: call.usage?.promptTokens ?? 0,
      tokensOut: call.usage?.completionTokens ?? 0,
      tokensEstimated: call.usage?.estimated ?? false,
      costMicros: call.costMicros,
      latencyMs: this.options.now() - ctx.startedAt,
      ttftMs: call.ttftMs,
      attempts: call.attempts,
      guardrails: call.guardrails?.length ? [...call.guardrails] : null,
      promptVersion: call.promptVersion ?? null,
      ...loggedBodies(logging, call.requestText, call.responseText),
    });
  }

  flush(): Promise<void> {
    return this.callLog.flush();
  }

  async close(): Promise<void> {
    await this.callLog.close();
    await this.budgets.close();
  }
}

/** Counts every byte written to the response (streams included) for the usage event and request log. */
function countBytesOut(res: ServerResponse, counters: { bytesOut: number }): void {
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((...args: unknown[]) => {
    counters.bytesOut += chunkLength(args[0]);
    return write(...args);
  }) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    counters.bytesOut += chunkLength(args[0]);
    return end(...args);
  }) as ServerResponse['end'];
}
