import type { AiCallError } from '@portcullis/ai/errors';
import type { ModelRoute, RouteTarget } from '@portcullis/core/ai-config';
import { describe, expect, it } from 'vitest';
import { metricsRegistry } from '../ops/metrics.ts';
import type { AiCredentials, ResolvedTarget } from './credentials.ts';
import { AiRouting, type CallOutcome, type RoutedRequest } from './routing.ts';
import { MemoryRouteUsage } from './routing-usage.ts';

/** Credentials that resolve every target of org-1 to a stand-in adapter named after its credential. */
const credentials = {
  resolve: (orgId: string, target: RouteTarget) =>
    Promise.resolve({
      ok: true,
      value: {
        credentialId: target.credentialId,
        orgId,
        provider: { id: 'openai' },
        credential: { apiKey: 'k' },
        model: target.model,
      },
    }),
} as unknown as AiCredentials;

const request = (orgId = 'org-1'): RoutedRequest =>
  ({ route: { orgId, apiId: `api-of-${orgId}` }, req: { headers: {} } }) as unknown as RoutedRequest;

const failure = (status: number): AiCallError => ({
  kind: 'upstream',
  provider: 'openai',
  status,
  upstreamStatus: status,
  retryable: status === 429 || status >= 500,
  retryAfterMs: null,
  body: { error: { message: 'x', type: 'server_error', param: null, code: null } },
});

function routeOf(targets: RouteTarget[], extra: Partial<ModelRoute> = {}): ModelRoute {
  return {
    name: 'alias',
    targets,
    timeoutMs: 1000,
    maxAttempts: 2,
    cacheTtlSeconds: 0,
    strategy: 'weighted',
    cooldownFailures: 2,
    cooldownWindowSeconds: 60,
    cooldownSeconds: 30,
    ...extra,
  };
}

const target = (credentialId: string, more: Partial<RouteTarget> = {}): RouteTarget => ({
  credentialId,
  model: 'm',
  weight: 1,
  ...more,
});

/** An attempt that fails for the credentials in `failing` and records who was called. */
function attempts(failing: Set<string>, settle: Promise<unknown> = Promise.resolve()) {
  const called: string[] = [];
  return {
    called,
    attempt: {
      operation: 'chat' as const,
      call: (t: ResolvedTarget): Promise<CallOutcome<string>> => {
        called.push(t.credentialId);
        return Promise.resolve(
          failing.has(t.credentialId)
            ? { ok: false, error: failure(503) }
            : { ok: true, value: t.credentialId },
        );
      },
      settled: () => settle.then(() => ({ tokens: 10, response: {} })),
    },
  };
}

const signal = new AbortController().signal;

describe('AiRouting', () => {
  it('cools a failing target down, skips it, and returns to it once the cooldown ends', async () => {
    const c = { t: 5_000_000 };
    const routing = new AiRouting({
      usage: new MemoryRouteUsage(),
      now: () => c.t,
      random: () => 0,
      onUsageError: () => {},
    });
    const route = routeOf([target('a'), target('b')]);
    const failing = new Set(['a']);
    const run = attempts(failing);
    for (let i = 0; i < 2; i++) {
      const result = await routing.route(route, request(), credentials, signal, run.attempt);
      expect(result.outcome).toEqual({ ok: true, value: 'b' });
    }
    expect(run.called).toEqual(['a', 'b', 'a', 'b']);
    // a failed twice: cooling down, b is the only target tried
    await routing.route(route, request(), credentials, signal, run.attempt);
    expect(run.called.slice(4)).toEqual(['b']);
    // another tenant's targets of the same credential id are not cooled by org-1's failures
    await routing.route(route, request('org-2'), credentials, signal, run.attempt);
    expect(run.called.slice(5)).toEqual(['a', 'b']);
    failing.clear();
    c.t += 30_001;
    const back = await routing.route(route, request(), credentials, signal, run.attempt);
    expect(back.outcome).toEqual({ ok: true, value: 'a' });

    const text = await metricsRegistry.getSingleMetricAsString('gateway_ai_fallbacks_total');
    expect(text).toContain('api="api-of-org-1",model="alias",provider="openai",reason="server_error"} 2');
  });

  it('usage-based: refuses with 429 rate_limit_exceeded without a call when every target is at its limit', async () => {
    const routing = new AiRouting({ usage: new MemoryRouteUsage(), onUsageError: () => {} });
    const route = routeOf([target('a', { rpm: 1 }), target('b', { rpm: 1 })], { strategy: 'usage-based' });
    const run = attempts(new Set());
    await routing.route(route, request(), credentials, signal, run.attempt);
    await routing.route(route, request(), credentials, signal, run.attempt);
    expect(run.called.sort()).toEqual(['a', 'b']);
    const refused = await routing.route(route, request(), credentials, signal, run.attempt);
    expect(run.called).toHaveLength(2);
    expect(refused.attempts).toBe(0);
    expect(refused.outcome.ok).toBe(false);
    const error = (refused.outcome as { error: AiCallError }).error;
    expect(error.status).toBe(429);
    expect(error.body.error.code).toBe('rate_limit_exceeded');
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(1000);
  });

  it('usage-based: a failed attempt falls back to another target under its limits', async () => {
    const routing = new AiRouting({ usage: new MemoryRouteUsage(), random: () => 0, onUsageError: () => {} });
    const route = routeOf([target('a', { rpm: 5 }), target('b', { rpm: 5 })], { strategy: 'usage-based' });
    const run = attempts(new Set(['a']));
    const result = await routing.route(route, request(), credentials, signal, run.attempt);
    expect(run.called).toEqual(['a', 'b']);
    expect(result.outcome).toEqual({ ok: true, value: 'b' });
  });

  it('least-busy: a target stays busy until its answer settles (a stream until its end)', async () => {
    const routing = new AiRouting({ usage: new MemoryRouteUsage(), random: () => 0, onUsageError: () => {} });
    const route = routeOf([target('a'), target('b')], { strategy: 'least-busy' });
    let endStream = () => {};
    const streaming = new Promise<void>((resolve) => {
      endStream = resolve;
    });
    const run = attempts(new Set(), streaming);
    await routing.route(route, request(), credentials, signal, run.attempt);
    await routing.route(route, request(), credentials, signal, run.attempt);
    expect(run.called).toEqual(['a', 'b']);
    expect(routing.stats.inFlight('org-1\u0000a\u0000m')).toBe(1);
    endStream();
    await streaming;
    await new Promise((resolve) => setImmediate(resolve));
    expect(routing.stats.inFlight('org-1\u0000a\u0000m')).toBe(0);
  });
});
