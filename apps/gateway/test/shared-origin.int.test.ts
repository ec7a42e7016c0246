import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notify, startWorld, type TestWorld } from './harness.ts';
import { seedRoute, startServer, type TestServer } from './upstream-servers.ts';

const SUFFIX = 'gw.test';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json(): Record<string, unknown>;
}

/**
 * node:http with an explicit path and Host: the request target goes out byte for byte (a URL parser
 * would resolve `..` and `%2e%2e` before sending), and the Host can name an org host.
 */
function raw(gatewayUrl: string, path: string, headers: Record<string, string>): Promise<RawResponse> {
  const { hostname, port } = new URL(gatewayUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET', headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          json: () => JSON.parse(body) as Record<string, unknown>,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('shared origin: org hosts, dot segments, origin-wide response headers', () => {
  let world: TestWorld;
  let upstream: TestServer;
  let acme: Awaited<ReturnType<typeof seedRoute>>;
  let other: Awaited<ReturnType<typeof seedRoute>>;
  const orgOf = (route: { path: string }) => route.path.split('/')[1] as string;
  const apiOf = (route: { path: string }) => route.path.split('/')[2] as string;

  beforeAll(async () => {
    world = await startWorld({ redis: false, orgHostSuffix: SUFFIX });
    upstream = await startServer('tenant', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream-cookie': 'from-upstream=1' });
      res.end(JSON.stringify({ url: req.url }));
    });
    acme = await seedRoute(world.db, `${upstream.url}/acme-base`);
    other = await seedRoute(world.db, `${upstream.url}/other-base`);
  });
  afterAll(async () => {
    await upstream?.close();
    await world?.close();
  });

  it('routes Host {org}.<suffix> to that org: /{api}/… reaches its API', async () => {
    const res = await raw(world.gateway.url, `/${apiOf(acme)}/items?x=1`, {
      host: `${orgOf(acme)}.${SUFFIX}`,
      ...acme.auth,
    });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ url: '/acme-base/items?x=1' });
    // path routing on any other Host still works
    const byPath = await raw(world.gateway.url, `${acme.path}/items`, {
      host: 'gateway.internal',
      ...acme.auth,
    });
    expect(byPath.status).toBe(200);
  });

  it("refuses on an org host a path naming another org's API (404, never forwarded)", async () => {
    const hits = upstream.hits;
    for (const path of [`${other.path}/items`, `/${apiOf(other)}/items`]) {
      const res = await raw(world.gateway.url, path, {
        host: `${orgOf(acme)}.${SUFFIX}:8080`,
        ...other.auth,
      });
      expect(res.status, path).toBe(404);
      expect(res.json(), path).toMatchObject({ code: 'route_not_found' });
    }
    const nested = await raw(world.gateway.url, `/${apiOf(acme)}/items`, {
      host: `x.${orgOf(acme)}.${SUFFIX}`,
      ...acme.auth,
    });
    expect(nested.status).toBe(404);
    expect(upstream.hits).toBe(hits);
  });

  it('refuses dot segments, also encoded or followed by ; (400 problem+json), before the upstream sees them', async () => {
    const hits = upstream.hits;
    for (const segment of [
      '..;',
      '..;jsessionid=x',
      '.;',
      '%2e%2e;',
      '%2e%2e%3b',
      '%2E%2E%3B',
      '%252e%252e%253b',
      '..',
      '%2e%2e',
      '.',
    ]) {
      for (const [path, headers] of [
        [`${acme.path}/${segment}/admin`, { host: 'gateway.internal' }],
        [`/${apiOf(acme)}/${segment}/admin`, { host: `${orgOf(acme)}.${SUFFIX}` }],
      ] as const) {
        const res = await raw(world.gateway.url, path, { ...headers, ...acme.auth });
        expect(res.status, path).toBe(400);
        expect(res.headers['content-type'], path).toBe('application/problem+json');
        expect(res.json(), path).toMatchObject({ code: 'bad_request', status: 400 });
        expect(String(res.json().detail), path).toContain(segment);
      }
    }
    expect(upstream.hits).toBe(hits);
    // dots inside a segment are ordinary names
    const fine = await raw(world.gateway.url, `${acme.path}/a..;b/report..final`, acme.auth);
    expect(fine.status).toBe(200);
    expect(fine.json()).toEqual({ url: '/acme-base/a..;b/report..final' });
  });

  it('does not let a response header transform saved before the rule set cookies or serve HTML', async () => {
    // Written straight to the database, as a document saved before the portal refused these.
    await world.db.api.update({
      where: { id: acme.apiId },
      data: {
        policies: {
          responseHeaders: {
            add: {
              'set-cookie': 'session=stolen; Path=/',
              'content-type': 'text/html; charset=utf-8',
              'clear-site-data': '"cookies"',
              'x-kept': 'yes',
            },
            rename: { 'x-upstream-cookie': 'set-cookie' },
          },
        },
      },
    });
    await notify(world.db, { kind: 'api', id: acme.apiId });
    let res = await raw(world.gateway.url, `${acme.path}/page`, acme.auth);
    for (let i = 0; i < 40 && res.headers['x-kept'] !== 'yes'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      res = await raw(world.gateway.url, `${acme.path}/page`, acme.auth);
    }
    expect(res.status).toBe(200);
    expect(res.headers['x-kept']).toBe('yes');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['clear-site-data']).toBeUndefined();
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-upstream-cookie']).toBe('from-upstream=1');
  });
});
