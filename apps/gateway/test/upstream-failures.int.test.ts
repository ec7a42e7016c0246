import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startWorld, type TestWorld } from './harness.ts';
import { freePort, seedRoute, startServer, type TestServer } from './upstream-servers.ts';

/** A raw node:http request: undici refuses to send hop-by-hop headers, which is what is tested here. */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('upstream failures: retries, timeouts, redirects, hop-by-hop headers', () => {
  let world: TestWorld;
  const servers: TestServer[] = [];
  const server = async (...args: Parameters<typeof startServer>) => {
    const started = await startServer(...args);
    servers.push(started);
    return started;
  };

  beforeAll(async () => {
    world = await startWorld({ redis: false, upstreamTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await world?.close();
  });

  it('retries a GET refused by one target on another; a POST with a body is not retried (502)', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const live = await server('live');
    // Equal weights: smooth round-robin picks the API's own upstream (the dead one) first.
    const getRoute = await seedRoute(world.db, dead, { targets: [{ url: live.url, weight: 100 }] });
    const got = await call(world.gateway.url, `${getRoute.path}/x`, { headers: getRoute.auth });
    expect(got.status).toBe(200);
    expect(got.text).toBe('live');
    expect(live.requests.filter((r) => r.method === 'GET')).toHaveLength(1);

    const postRoute = await seedRoute(world.db, dead, { targets: [{ url: live.url, weight: 100 }] });
    const posted = await call(world.gateway.url, `${postRoute.path}/x`, {
      method: 'POST',
      headers: { ...postRoute.auth, 'content-type': 'text/plain' },
      body: 'charge the card once',
    });
    expect(posted.status).toBe(502);
    expect(posted.json()).toMatchObject({ code: 'upstream_unreachable' });
    expect(live.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('does not retry a GET when retries are off', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const live = await server('live');
    const route = await seedRoute(world.db, dead, {
      targets: [{ url: live.url, weight: 100 }],
      retries: { attempts: 0, budgetPercent: 20 },
    });
    const res = await call(world.gateway.url, `${route.path}/x`, { headers: route.auth });
    expect(res.status).toBe(502);
    expect(live.hits).toBe(0);
  });

  it('answers 504 upstream_timeout when response headers do not arrive within timeouts.responseMs', async () => {
    const slow = await server('slow', (_req, res) => {
      setTimeout(() => res.end('late'), 3_000).unref();
    });
    const route = await seedRoute(world.db, slow.url, {
      timeouts: { connectMs: 1_000, responseMs: 200, idleMs: 5_000 },
    });
    const started = performance.now();
    const res = await call(world.gateway.url, `${route.path}/x`, { headers: route.auth });
    expect(res.status).toBe(504);
    expect(res.json()).toMatchObject({ code: 'upstream_timeout' });
    // undici's timers are coarse (about half a second), but well before the upstream would answer
    expect(performance.now() - started).toBeLessThan(1_800);
    expect(slow.hits).toBe(1); // a timed-out response is not retried (the upstream may have acted on it)
  });

  it('aborts the response when the upstream body stalls longer than timeouts.idleMs', async () => {
    const stalling = await server('stall', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('first part ');
    });
    const route = await seedRoute(world.db, stalling.url, {
      timeouts: { connectMs: 1_000, responseMs: 1_000, idleMs: 200 },
    });
    const res = await request(`${world.gateway.url}${route.path}/x`, { headers: route.auth });
    expect(res.statusCode).toBe(200);
    const started = performance.now();
    await expect(res.body.text()).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('passes redirects to the client and never follows them', async () => {
    const elsewhere = await server('elsewhere');
    const redirecting = await server('redirect', (_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/secret` });
      res.end();
    });
    const route = await seedRoute(world.db, redirecting.url);
    const res = await call(world.gateway.url, `${route.path}/login`, { headers: route.auth });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${elsewhere.url}/secret`);
    expect(redirecting.hits).toBe(1);
    expect(elsewhere.hits).toBe(0);
  });

  it('strips hop-by-hop headers in both directions, including those named by Connection', async () => {
    const upstream = await server('hop', (_req, res) => {
      res.setHeader('connection', 'x-hop-res, keep-alive');
      res.setHeader('x-hop-res', 'drop me');
      res.setHeader('keep-alive', 'timeout=99');
      res.setHeader('proxy-authenticate', 'Basic realm="upstream"');
      res.setHeader('upgrade', 'h2c');
      res.setHeader('trailer', 'x-checksum');
      res.setHeader('x-kept', 'yes');
      res.write('hop'); // chunked, so a Trailer header is legal
      res.addTrailers({ 'x-checksum': '1' });
      res.end();
    });
    const route = await seedRoute(world.db, upstream.url);
    const res = await rawGet(`${world.gateway.url}${route.path}/x`, {
      ...route.auth,
      connection: 'keep-alive, x-hop-req',
      'x-hop-req': 'drop me',
      'keep-alive': 'timeout=42',
      'proxy-authorization': 'Basic c2VjcmV0',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      upgrade: 'websocket',
      'x-kept-req': 'yes',
    });
    expect(res.status).toBe(200);
    const seen = upstream.requests[0]?.headers ?? {};
    expect(seen['x-kept-req']).toBe('yes');
    for (const name of ['x-hop-req', 'proxy-authorization', 'proxy-connection', 'te', 'upgrade']) {
      expect(seen[name], name).toBeUndefined();
    }
    expect(seen['keep-alive']).toBeUndefined();
    expect(res.headers['x-kept']).toBe('yes');
    for (const name of ['x-hop-res', 'proxy-authenticate', 'upgrade', 'trailer']) {
      expect(res.headers[name], name).toBeUndefined();
    }
    expect(res.headers['keep-alive']).not.toBe('timeout=99');
  });
});
