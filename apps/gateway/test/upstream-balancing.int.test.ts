import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRegistry } from '../src/ops/metrics.ts';
import { call, startWorld, type TestWorld } from './harness.ts';
import { freePort, seedRoute, sleep, startServer, type TestServer } from './upstream-servers.ts';

async function metricValue(name: string): Promise<number> {
  const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).reduce((sum, v) => sum + Number(v.value), 0);
}

describe('upstream targets: balancing, health, breakers, versions', () => {
  let world: TestWorld;
  const servers: TestServer[] = [];
  const server = async (...args: Parameters<typeof startServer>) => {
    const started = await startServer(...args);
    servers.push(started);
    return started;
  };

  beforeAll(async () => {
    world = await startWorld({ redis: false });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await world?.close();
  });

  it('splits traffic by weight (api upstream weight 100, extra target weight 300 → 1:3)', async () => {
    const a = await server('a');
    const b = await server('b');
    const route = await seedRoute(world.db, a.url, { targets: [{ url: b.url, weight: 300 }] });
    const served: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const res = await call(world.gateway.url, `${route.path}/x`, { headers: route.auth });
      expect(res.status).toBe(200);
      served[res.text] = (served[res.text] ?? 0) + 1;
    }
    expect(served.a).toBeGreaterThanOrEqual(45);
    expect(served.a).toBeLessThanOrEqual(55);
    expect(served.b).toBeGreaterThanOrEqual(145);
    expect(a.hits + b.hits).toBe(200);
  });

  it('least-connections sends new requests away from the target busy with slow ones', async () => {
    const slow = await server('slow', (_req, res) => {
      setTimeout(() => res.end('slow'), 400);
    });
    const fast = await server('fast');
    const route = await seedRoute(world.db, slow.url, {
      targets: [{ url: fast.url, weight: 100 }],
      loadBalancing: 'least-connections',
    });
    // Both idle: the tie goes to either; after that the slow one stays busy, so the fast one gets the rest.
    const pending = Array.from({ length: 10 }, (_, i) =>
      sleep(i * 20).then(() => call(world.gateway.url, `${route.path}/x`, { headers: route.auth })),
    );
    const results = await Promise.all(pending);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(slow.hits).toBeLessThanOrEqual(2);
    expect(fast.hits).toBeGreaterThanOrEqual(8);
  });

  it('keeps serving GETs without client errors when a target dies mid-load', async () => {
    const a = await server('a');
    const b = await server('b');
    const route = await seedRoute(world.db, a.url, {
      targets: [{ url: b.url, weight: 100 }],
      retries: { attempts: 2, budgetPercent: 50 },
    });
    const retriesBefore = await metricValue('gateway_upstream_retries_total');
    const outcomes: { at: number; status: number; by: string }[] = [];
    const started = Date.now();
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const res = await call(world.gateway.url, `${route.path}/x`, { headers: route.auth });
          outcomes.push({ at: Date.now() - started, status: res.status, by: res.text });
        } catch {
          outcomes.push({ at: Date.now() - started, status: 0, by: '' });
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await sleep(300);
    const killedAt = Date.now() - started;
    await b.close();
    await sleep(1_200);
    stop = true;
    await Promise.all(workers);

    const before = outcomes.filter((o) => o.at < killedAt);
    const after = outcomes.filter((o) => o.at > killedAt + 200);
    expect(new Set(before.map((o) => o.by))).toEqual(new Set(['a', 'b']));
    expect(after.length).toBeGreaterThan(50);
    expect(after.filter((o) => o.status !== 200)).toEqual([]);
    expect(after.every((o) => o.by === 'a')).toBe(true);
    // Requests that met the dead target were retried on the live one, not failed.
    expect(outcomes.filter((o) => o.status !== 200).length).toBe(0);
    expect(await metricValue('gateway_upstream_retries_total')).toBeGreaterThan(retriesBefore);
  });

  it('opens the breaker after consecutive failures (503 + Retry-After), half-opens, and closes on success', async () => {
    const port = await freePort();
    const route = await seedRoute(world.db, `http://127.0.0.1:${port}`, {
      retries: { attempts: 0, budgetPercent: 20 },
      circuitBreaker: {
        enabled: true,
        consecutiveFailures: 3,
        errorRatePercent: 100,
        windowSize: 10,
        openMs: 600,
      },
    });
    const get = () => call(world.gateway.url, `${route.path}/x`, { headers: route.auth });
    for (let i = 0; i < 3; i++) {
      const res = await get();
      expect(res.status).toBe(502);
      expect(res.json()).toMatchObject({ code: 'upstream_unreachable' });
    }
    const open = await get();
    expect(open.status).toBe(503);
    expect(open.headers['content-type']).toBe('application/problem+json');
    expect(open.json()).toMatchObject({ code: 'upstream_unavailable', status: 503 });
    expect(Number(open.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await metricValue('gateway_upstream_open_breakers')).toBeGreaterThanOrEqual(1);

    // The target comes back; while open, nothing reaches it.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const revived = await server(
      'revived',
      (req, res) => {
        if (req.url?.endsWith('/probe')) void gate.then(() => res.end('probe'));
        else res.end('revived');
      },
      port,
    );
    expect((await get()).status).toBe(503);
    expect(revived.hits).toBe(0);

    await sleep(650);
    // Half-open: exactly one probe goes through; a concurrent request is refused meanwhile.
    const probe = call(world.gateway.url, `${route.path}/probe`, { headers: route.auth });
    await sleep(100);
    const whileProbing = await get();
    expect(whileProbing.status).toBe(503);
    release();
    expect((await probe).status).toBe(200);
    expect(revived.hits).toBe(1);

    // Closed again: traffic flows.
    for (let i = 0; i < 5; i++) expect((await get()).text).toBe('revived');
  });

  it('fails open: when every target is unhealthy it still tries one rather than refusing', async () => {
    const flaky = await server('flaky', (req, res) => {
      res.statusCode = req.url?.endsWith('/fail') ? 500 : 200;
      res.end(req.url?.endsWith('/fail') ? 'failed' : 'ok');
    });
    const route = await seedRoute(world.db, flaky.url, {
      healthCheck: { enabled: false, unhealthyThreshold: 2 },
      circuitBreaker: { enabled: false },
    });
    for (let i = 0; i < 3; i++) {
      expect((await call(world.gateway.url, `${route.path}/fail`, { headers: route.auth })).status).toBe(500);
    }
    // Passively ejected, yet the only target still gets the request.
    expect((await call(world.gateway.url, `${route.path}/ok`, { headers: route.auth })).status).toBe(200);
  });

  it('active health checks eject a target whose health path fails and bring it back', async () => {
    let healthy = true;
    const a = await server('a', (req, res) => {
      if (req.url === '/health') {
        res.statusCode = healthy ? 204 : 503;
        return res.end();
      }
      res.end('a');
    });
    const b = await server('b');
    const route = await seedRoute(world.db, a.url, {
      targets: [{ url: b.url, weight: 100 }],
      healthCheck: {
        enabled: true,
        path: '/health',
        intervalMs: 100,
        healthyThreshold: 1,
        unhealthyThreshold: 2,
      },
    });
    const served = async (n: number) => {
      const by: string[] = [];
      for (let i = 0; i < n; i++)
        by.push((await call(world.gateway.url, `${route.path}/x`, { headers: route.auth })).text);
      return by;
    };
    expect(new Set(await served(4))).toEqual(new Set(['a', 'b']));
    await sleep(300);
    expect(a.requests.some((r) => r.url === '/health')).toBe(true);
    healthy = false;
    await sleep(400);
    const whileDown = await served(6);
    expect(whileDown.every((by) => by === 'b')).toBe(true);
    healthy = true;
    await sleep(400);
    expect(new Set(await served(4))).toEqual(new Set(['a', 'b']));
  });

  it('routes /{org}/{api}/{version}/… to that version’s targets with the segment stripped', async () => {
    const main = await server('main', (req, res) => res.end(`main ${req.url}`));
    const v2 = await server('v2', (req, res) => res.end(`v2 ${req.url}`));
    const route = await seedRoute(world.db, `${main.url}/base`, {
      versions: { v2: [{ url: `${v2.url}/api`, weight: 1 }] },
    });
    const get = async (rest: string) =>
      (await call(world.gateway.url, `${route.path}${rest}`, { headers: route.auth })).text;
    expect(await get('/v2/items?x=1')).toBe('v2 /api/items?x=1');
    expect(await get('/v2')).toBe('v2 /api');
    expect(await get('/v1/items')).toBe('main /base/v1/items');
    expect(await get('/items/v2')).toBe('main /base/items/v2');
  });
});
