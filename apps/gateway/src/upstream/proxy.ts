import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline as pipelineCallback, type Readable, Transform } from 'node:stream';
import { parseUpstreamConfig, type UpstreamConfig } from '@portcullis/core/policies';
import { type Dispatcher, Pool } from 'undici';
import { type GatewayProblem, problem } from '../http/problem.ts';
import { err, ok, type Result } from '../result.ts';
import type { AllowListSource } from './allow-list.ts';
import { guardedConnector } from './connector.ts';
import {
  attemptProblem,
  classifyAttemptError,
  countsAgainstTarget,
  isClientFault,
  isRetryable,
} from './errors.ts';
import { downstreamResponseHeaders, type ForwardingInfo, upstreamRequestHeaders } from './headers.ts';
import { trackOpenBreakers, upstreamRetries } from './metrics.ts';
import { joinUpstreamPath, splitVersion } from './path.ts';
import { type RelayEnding, relayAttempt } from './relay.ts';
import { type TargetGroup, TargetRegistry, type TargetState } from './targets.ts';

export interface ForwardTarget {
  /** identifies the route's upstream state (breakers, health, balancing): the API id */
  routeKey: string;
  /** the API's org: the SSRF guard admits only hosts allow-listed for it */
  orgId: string;
  upstreamUrl: string;
  /** Api.upstream; absent: defaults (upstreamUrl as the only target) */
  upstream?: UpstreamConfig;
  rest: string;
  query: string;
}

export interface ForwardStats {
  status: number;
  upstreamMs: number;
  bytesIn: number;
  bytesOut: number;
  /** how the response body ended; absent: complete (a cached answer, a 304) */
  ending?: RelayEnding;
}

export type ForwardFailure = GatewayProblem & { upstreamMs: number; bytesIn: number };

/** A request whose response the caller reads itself (MCP: filtered and re-framed), not relayed as is. */
export interface ExchangeRequest {
  method: 'GET' | 'POST' | 'DELETE';
  headers: Record<string, string | string[]>;
  body: Buffer | null;
  /** longest quiet stretch in the response body; 0: none (a stream of server notifications) */
  idleTimeoutMs?: number;
  /** aborts the request and its response body (the client left) */
  signal?: AbortSignal;
  /** a long-lived stream (MCP's GET): sent over connections of its own */
  stream?: boolean;
}

export interface ExchangeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Dispatcher.ResponseData['body'];
  upstreamMs: number;
}

export interface UpstreamClientOptions {
  /** ceiling for the response-headers and idle-body timeouts of every route (GATEWAY_UPSTREAM_TIMEOUT_MS) */
  timeoutMs: number;
  allowList: AllowListSource;
  now?: () => number;
}

/** Retries never resend a body: only these methods, and only without a request body. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const DEFAULT_CONFIG = parseUpstreamConfig({});
const HEALTH_PROBE_TIMEOUT_MS = 2_000;

/** HTTP/1.1 requests carry a body only when framed by Transfer-Encoding or a non-zero Content-Length. */
function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/** Every target's breaker is open: retry when the first one lets a probe through. */
const everyTargetFailing = (retryAfterMs: number) =>
  problem('upstream_unavailable', 'Every upstream target is failing; try again later.', {
    'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1_000))),
  });

/**
 * Forwards to a route's targets through one undici Pool per target origin (and connect timeout):
 * balancing, circuit breakers, health, retries of connect failures, and the connect-time SSRF guard.
 */
export class UpstreamClient {
  private readonly pools = new Map<string, Pool>();
  /** the org each route's targets connect for (health probes use the same org-scoped pools) */
  private readonly groupOrg = new WeakMap<TargetGroup, string>();
  private readonly registry: TargetRegistry;
  private readonly untrack: () => void;

  constructor(private readonly options: UpstreamClientOptions) {
    this.registry = new TargetRegistry({ ...(options.now ? { now: options.now } : {}) });
    this.registry.startHealthChecks((group, target) => this.probe(group, target));
    this.untrack = trackOpenBreakers(() => this.registry.openBreakerCount());
  }

  /**
   * Streams the request to a target and the response back. Returns a problem only while nothing
   * has been sent to the client; a failure mid-response destroys the connection instead.
   */
  async forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: ForwardTarget,
    info: ForwardingInfo,
    extraHeaders: Record<string, string>,
    /** live byte counts, readable before the forward settles (usage recorded at the response's end) */
    counters: { bytesIn: number; bytesOut: number } = { bytesIn: 0, bytesOut: 0 },
  ): Promise<Result<ForwardStats, ForwardFailure>> {
    const config = target.upstream ?? DEFAULT_CONFIG;
    const { version, rest } = splitVersion(target.rest, config.versions);
    const group = this.registry.group(
      version === null ? target.routeKey : `${target.routeKey}@${version}`,
      config,
      target.upstreamUrl,
      () =>
        version === null
          ? [{ url: target.upstreamUrl, weight: 100 }, ...config.targets]
          : (config.versions[version] ?? []),
    );
    this.groupOrg.set(group, target.orgId);
    const started = performance.now();
    const stats = counters;
    const fail = (p: GatewayProblem): Result<ForwardStats, ForwardFailure> =>
      err({ ...p, upstreamMs: Math.round(performance.now() - started), bytesIn: stats.bytesIn });
    if (group.targets.length === 0)
      return fail(problem('upstream_unreachable', 'The API has no valid upstream URL.'));

    const method = (req.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod;
    const withBody = hasBody(req);
    const maxAttempts = 1 + (IDEMPOTENT.has(method) && !withBody ? config.retries.attempts : 0);
    const tried = new Set<string>();
    const headers = upstreamRequestHeaders(req.headers, info);
    const upload = withBody ? watchUpload(req, stats) : null;
    // A request the client broke off says nothing about the upstream: it must not buy retries either.
    let counted = false;
    const countRequest = () => {
      if (!counted) group.budget.recordRequest();
      counted = true;
    };
    const hooks = {
      // downstreamResponseHeaders returns a fresh object: the gateway's own headers go straight into it.
      head: (_status: number, upstream: IncomingHttpHeaders) =>
        Object.assign(downstreamResponseHeaders(upstream), extraHeaders),
      onBytes: (length: number) => {
        stats.bytesOut += length;
      },
    };
    for (let attempt = 1; ; attempt++) {
      const selection = this.registry.select(group, tried);
      if (!selection.ok) return fail(everyTargetFailing(selection.retryAfterMs));
      const chosen = selection.target;
      tried.add(chosen.id);
      chosen.inFlight += 1;
      const outcome = await relayAttempt(
        this.pool(chosen.origin, config, target.orgId),
        {
          method,
          path: joinUpstreamPath(chosen.basePath, rest, target.query),
          headers,
          body: upload?.body ?? null,
          headersTimeout: Math.min(config.timeouts.responseMs, this.options.timeoutMs),
          bodyTimeout: Math.min(config.timeouts.idleMs, this.options.timeoutMs),
        },
        res,
        hooks,
      );
      if (!outcome.responded) {
        chosen.inFlight -= 1;
        const failure = outcome.clientGone
          ? 'aborted'
          : upload?.brokeOff()
            ? 'client_body'
            : classifyAttemptError(outcome.error);
        if (!isClientFault(failure)) countRequest();
        if (countsAgainstTarget(failure)) {
          chosen.breaker.onFailure();
          chosen.health.onFailure();
        } else {
          chosen.breaker.release();
        }
        if (isRetryable(failure) && attempt < maxAttempts && group.budget.tryRetry()) {
          upstreamRetries.inc({ reason: failure });
          continue;
        }
        return fail(attemptProblem(failure));
      }
      countRequest();
      // The target's outcome is decided by the status; the body then streams on.
      if (outcome.status >= 500) {
        chosen.breaker.onFailure();
        chosen.health.onFailure();
      } else {
        chosen.breaker.onSuccess();
        chosen.health.onSuccess();
      }
      const ending = await outcome.finished;
      chosen.inFlight -= 1;
      return ok({
        status: outcome.status,
        upstreamMs: Math.round(performance.now() - started),
        bytesIn: stats.bytesIn,
        bytesOut: stats.bytesOut,
        ending,
      });
    }
  }

  /**
   * One request to a route's upstream through the same targets, breakers, health and SSRF guard as
   * forward(), the response handed back unread. Only connect failures are retried: nothing reached the
   * upstream's application then, so even a POST cannot run twice. The target counts as in flight until
   * the response body ends.
   */
  async exchange(
    target: ForwardTarget,
    request: ExchangeRequest,
  ): Promise<Result<ExchangeResponse, ForwardFailure>> {
    const config = target.upstream ?? DEFAULT_CONFIG;
    const group = this.registry.group(target.routeKey, config, target.upstreamUrl, () => [
      { url: target.upstreamUrl, weight: 100 },
      ...config.targets,
    ]);
    this.groupOrg.set(group, target.orgId);
    const started = performance.now();
    const bytesIn = request.body?.length ?? 0;
    const fail = (p: GatewayProblem): Result<ExchangeResponse, ForwardFailure> =>
      err({ ...p, upstreamMs: Math.round(performance.now() - started), bytesIn });
    if (group.targets.length === 0)
      return fail(problem('upstream_unreachable', 'The API has no valid upstream URL.'));
    const tried = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      const selection = this.registry.select(group, tried);
      if (!selection.ok) return fail(everyTargetFailing(selection.retryAfterMs));
      const chosen = selection.target;
      tried.add(chosen.id);
      chosen.inFlight += 1;
      group.budget.recordRequest();
      try {
        const pool = this.pool(chosen.origin, config, target.orgId, request.stream === true);
        const response = await pool.request({
          method: request.method,
          path: joinUpstreamPath(chosen.basePath, target.rest, target.query),
          headers: request.headers,
          body: request.body,
          headersTimeout: Math.min(config.timeouts.responseMs, this.options.timeoutMs),
          bodyTimeout: request.idleTimeoutMs ?? Math.min(config.timeouts.idleMs, this.options.timeoutMs),
          ...(request.signal ? { signal: request.signal } : {}),
        });
        if (response.statusCode >= 500) {
          chosen.breaker.onFailure();
          chosen.health.onFailure();
        } else {
          chosen.breaker.onSuccess();
          chosen.health.onSuccess();
        }
        let released = false;
        const release = () => {
          if (!released) chosen.inFlight -= 1;
          released = true;
        };
        response.body.once('close', release);
        response.body.once('end', release);
        return ok({
          status: response.statusCode,
          headers: response.headers,
          body: response.body,
          upstreamMs: Math.round(performance.now() - started),
        });
      } catch (error) {
        chosen.inFlight -= 1;
        const failure = request.signal?.aborted ? 'aborted' : classifyAttemptError(error);
        if (countsAgainstTarget(failure)) {
          chosen.breaker.onFailure();
          chosen.health.onFailure();
        } else {
          chosen.breaker.release();
        }
        const connectFailure = failure === 'connect_refused' || failure === 'connect_timeout';
        if (connectFailure && attempt <= config.retries.attempts && group.budget.tryRetry()) {
          upstreamRetries.inc({ reason: failure });
          continue;
        }
        return fail(attemptProblem(failure));
      }
    }
  }

  async close(): Promise<void> {
    this.registry.stop();
    this.untrack();
    await Promise.all([...this.pools.values()].map((pool) => pool.close().catch(() => pool.destroy())));
    this.pools.clear();
  }

  /** Active health check: GET the configured path; any 2xx or 3xx within the timeout is healthy. */
  private async probe(group: TargetGroup, target: TargetState): Promise<boolean> {
    const timeout = Math.min(HEALTH_PROBE_TIMEOUT_MS, group.config.healthCheck.intervalMs);
    const orgId = this.groupOrg.get(group);
    if (orgId === undefined) return false;
    const response = await this.pool(target.origin, group.config, orgId).request({
      method: 'GET',
      path: group.config.healthCheck.path,
      headers: { 'user-agent': 'portcullis-health-check' },
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: AbortSignal.timeout(timeout),
    });
    await response.body.dump().catch(() => undefined);
    return response.statusCode >= 200 && response.statusCode < 400;
  }

  /** One pool per org too: its connector admits the org's allow-listed hosts, and connections are reused. */
  private pool(origin: string, config: UpstreamConfig, orgId: string, streams = false): Pool {
    const connectTimeoutMs = config.timeouts.connectMs;
    const key = `${orgId} ${origin} ${connectTimeoutMs}${streams ? ' streams' : ''}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(origin, {
        // Streams hold their connection for as long as they stay open: in a pool of their own, and
        // not capped, so open streams never leave calls waiting for a connection.
        connections: streams ? null : 256,
        connect: guardedConnector({ connectTimeoutMs, allowList: this.options.allowList, orgId }),
      });
      this.pools.set(key, pool);
    }
    return pool;
  }
}

/**
 * Passes the request body through untouched, counting bytes; backpressure flows from the upstream socket.
 * `brokeOff` tells whether the body failed on the client's side (hang-up, request timeout, the size
 * limit) before anything failed it from the upstream's side.
 */
function watchUpload(
  source: Readable,
  stats: { bytesIn: number },
): { body: Readable; brokeOff: () => boolean } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      stats.bytesIn += chunk.length;
      done(null, chunk);
    },
  });
  let brokeOff = false;
  // Listening before the pipeline does: a failure the upstream side caused destroys the counter first
  // (undici destroys the body it was sending), one from the client reaches the source first.
  const onSourceEnded = () => {
    if (!counter.destroyed && !source.readableEnded) brokeOff = true;
  };
  source.once('error', onSourceEnded);
  source.once('close', onSourceEnded);
  // An aborted client upload destroys the counter, which fails the upstream request as it should.
  pipelineCallback(source, counter, () => undefined);
  return { body: counter, brokeOff: () => brokeOff };
}
