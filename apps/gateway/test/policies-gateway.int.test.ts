import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowUpstreamHosts, seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { bearer, type CallResult, call, eventually, notify, startWorld, type TestWorld } from './harness.ts';

function expectProblem(res: CallResult, status: number, code: string): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  const body = res.json();
  expect(body).toMatchObject({ status, code, requestId: res.headers['x-request-id'] });
  return body;
}

const spec = {
  openapi: '3.1.0',
  info: { title: 'pets', version: '1' },
  paths: {
    '/pets': {
      get: {
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', maximum: 100 } }],
      },
      post: {
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['name'],
                properties: { name: { type: 'string', minLength: 1 } },
              },
            },
          },
        },
      },
    },
  },
};

describe('per-API request policies', () => {
  let world: TestWorld;
  let base: string;
  let apiPath: string;
  let apiId: string;
  let key: string;
  let version = 0;

  /** Stores the policies and notifies; `ready` proves the gateway reloaded them (no fixed sleeps). */
  async function configure(policies: Record<string, unknown>, ready: () => Promise<boolean>): Promise<void> {
    version++;
    await world.db.api.update({
      where: { id: apiId },
      data: {
        policies: {
          ...policies,
          responseHeaders: {
            ...(policies.responseHeaders as Record<string, unknown> | undefined),
            add: { 'x-policy-version': String(version) },
          },
        },
      },
    });
    await notify(world.db, { kind: 'api', id: apiId });
    const current = String(version);
    await eventually(async () => {
      const probe = await call(base, `${apiPath}/pets`, { headers: bearer(key) });
      return probe.headers['x-policy-version'] === current || (await ready());
    }, 5_000);
  }

  beforeAll(async () => {
    // Loopback is a trusted proxy here, so X-Forwarded-For from the test client counts.
    world = await startWorld({ redis: false, trustedProxies: ['127.0.0.1/32', '::1/128'] });
    base = world.gateway.url;
    // The SSRF guard (upstream/) refuses loopback upstreams unless allow-listed.
    await allowUpstreamHosts(world.db, ['127.0.0.1']);
    const provider = await seedProviderWithApi(world.db, {
      upstreamUrl: `${world.upstream.url}/base/`,
      rateLimit: 10_000,
    });
    apiId = provider.api.id;
    apiPath = `/${provider.org.slug}/${provider.api.slug}`;
    await world.db.api.update({ where: { id: apiId }, data: { openapiSpec: spec } });
    key = (await seedConsumerWithKey(world.db, provider.plan.id)).plaintext;
  });
  afterAll(async () => {
    await world?.close();
  });

  it('leaves requests unchanged under the default document', async () => {
    const res = await call(base, `${apiPath}/anything?limit=1000`, {
      method: 'DELETE',
      headers: bearer(key),
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-cache']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('denies listed addresses with 403 ip_denied before the key is checked', async () => {
    await configure({ ipDeny: ['198.51.100.0/24'] }, async () => false);
    const denied = await call(base, `${apiPath}/pets`, { headers: { 'x-forwarded-for': '198.51.100.7' } });
    expectProblem(denied, 403, 'ip_denied');
    // The right-most untrusted hop is the client: a spoofed left-most entry does not help.
    const spoofed = await call(base, `${apiPath}/pets`, {
      headers: { ...bearer(key), 'x-forwarded-for': '203.0.113.1, 198.51.100.7' },
    });
    expectProblem(spoofed, 403, 'ip_denied');
    const other = await call(base, `${apiPath}/pets`, {
      headers: { ...bearer(key), 'x-forwarded-for': '198.51.100.7, 203.0.113.1' },
    });
    expect(other.status).toBe(200);
  });

  it('admits only allow-listed addresses', async () => {
    await configure({ ipAllow: ['203.0.113.0/24', '127.0.0.1'] }, async () => false);
    expect((await call(base, `${apiPath}/pets`, { headers: bearer(key) })).status).toBe(200);
    const outside = await call(base, `${apiPath}/pets`, {
      headers: { ...bearer(key), 'x-forwarded-for': '192.0.2.1' },
    });
    expectProblem(outside, 403, 'ip_denied');
    const inside = await call(base, `${apiPath}/pets`, {
      headers: { ...bearer(key), 'x-forwarded-for': '203.0.113.9' },
    });
    expect(inside.status).toBe(200);
  });

  it('answers CORS preflights without a key and refuses foreign origins', async () => {
    await configure(
      {
        cors: {
          enabled: true,
          allowOrigins: ['https://app.test'],
          exposeHeaders: ['x-upstream'],
          allowCredentials: true,
        },
      },
      async () => false,
    );
    const seenBefore = world.upstream.seen.length;
    const preflight = await call(base, `${apiPath}/pets`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.test',
      'access-control-allow-credentials': 'true',
      'access-control-max-age': '600',
    });
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers.vary).toContain('Origin');
    const refused = await call(base, `${apiPath}/pets`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' },
    });
    expectProblem(refused, 403, 'cors_rejected');
    expect(world.upstream.seen.length).toBe(seenBefore);

    const actual = await call(base, `${apiPath}/pets`, {
      headers: { ...bearer(key), origin: 'https://app.test' },
    });
    expect(actual.status).toBe(200);
    expect(actual.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.test',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-upstream',
    });
    // Refusals carry CORS headers too, so the browser can read them.
    const noKey = await call(base, `${apiPath}/pets`, { headers: { origin: 'https://app.test' } });
    expectProblem(noKey, 401, 'key_missing');
    expect(noKey.headers['access-control-allow-origin']).toBe('https://app.test');
  });

  it('refuses methods, oversized headers and declared bodies with 405, 431 and 413', async () => {
    await configure(
      { allowedMethods: ['GET', 'POST'], maxHeaderCount: 20, maxHeaderBytes: 2_048, maxBodyBytes: 1_000 },
      async () => false,
    );
    const seenBefore = world.upstream.seen.length;
    const method = await call(base, `${apiPath}/pets`, { method: 'PUT', headers: bearer(key), body: '{}' });
    expectProblem(method, 405, 'method_not_allowed');
    expect(method.headers.allow).toBe('GET, POST');
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`x-h${i}`, 'v']));
    expectProblem(
      await call(base, `${apiPath}/pets`, { headers: { ...bearer(key), ...many } }),
      431,
      'headers_too_large',
    );
    const big = { ...bearer(key), 'x-big': 'v'.repeat(3_000) };
    expectProblem(await call(base, `${apiPath}/pets`, { headers: big }), 431, 'headers_too_large');
    const body = await call(base, `${apiPath}/pets`, {
      method: 'POST',
      headers: bearer(key),
      body: 'x'.repeat(1_001),
    });
    expectProblem(body, 413, 'payload_too_large');
    expect(world.upstream.seen.length).toBe(seenBefore);
    const fits = await call(base, `${apiPath}/pets`, {
      method: 'POST',
      headers: bearer(key),
      body: 'x'.repeat(1_000),
    });
    expect(fits.status).toBe(200);
  });

  it('answers 413 to a chunked body that grows past the limit, aborting the upstream request', async () => {
    await configure({ maxBodyBytes: 100_000 }, async () => false);
    const result = await sendGrowingBody(new URL(`${base}${apiPath}/upload`), bearer(key));
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'payload_too_large', status: 413 });
    const upload = world.upstream.seen.filter((s) => s.url === '/base/upload').at(-1);
    expect(upload?.finishedAt).toBeUndefined(); // the upstream never answered it: the request was aborted
  });

  it('answers 413 to a chunked JSON body that outgrows the limit while it is read for validation', async () => {
    await configure({ validateRequests: true, maxBodyBytes: 100_000 }, async () => false);
    const result = await sendGrowingBody(new URL(`${base}${apiPath}/pets`), {
      ...bearer(key),
      'content-type': 'application/json',
    });
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'payload_too_large', status: 413 });
  });

  it('delivers the 413 to a client that keeps sending before it reads (lingering close)', async () => {
    await configure({ maxBodyBytes: 10_000 }, async () => false);
    const { port } = new URL(base);
    for (const framing of ['chunked', 'declared'] as const) {
      // 4 MB written at once, the answer read only after: without a lingering close the gateway closes
      // with unread bytes in its receive buffer, the kernel answers them with RST, and the client's
      // kernel drops the 413 it had already received.
      const answer = await rawExchange(Number(port), (socket) => {
        const head =
          framing === 'chunked' ? 'transfer-encoding: chunked' : `content-length: ${4 * 1024 * 1024}`;
        socket.write(
          `POST ${apiPath}/upload HTTP/1.1\r\nhost: gw\r\nauthorization: Bearer ${key}\r\n${head}\r\n\r\n`,
        );
        const part = Buffer.alloc(64 * 1024, 0x62);
        for (let i = 0; i < 64; i++) {
          socket.write(
            framing === 'chunked'
              ? Buffer.concat([Buffer.from('10000\r\n'), part, Buffer.from('\r\n')])
              : part,
          );
        }
      });
      expect(answer.slice(0, 40), framing).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer, framing).toContain('payload_too_large');
    }
  });

  it('validates requests against the OpenAPI document', async () => {
    await configure({ validateRequests: true }, async () => false);
    const unknown = await call(base, `${apiPath}/owners`, { headers: bearer(key) });
    expectProblem(unknown, 404, 'operation_not_found');
    const invalid = expectProblem(
      await call(base, `${apiPath}/pets?limit=500`, { headers: bearer(key) }),
      400,
      'request_invalid',
    );
    expect(invalid.errors).toEqual([{ in: 'query', name: 'limit', message: 'must be <= 100' }]);
    const badBody = expectProblem(
      await call(base, `${apiPath}/pets`, {
        method: 'POST',
        headers: { ...bearer(key), 'content-type': 'application/json' },
        body: '{"name":""}',
      }),
      400,
      'request_invalid',
    );
    expect(badBody.errors).toEqual([
      { in: 'body', name: '/name', message: 'must NOT have fewer than 1 characters' },
    ]);
    const good = await call(base, `${apiPath}/pets?limit=5`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      body: '{"name":"rex"}',
    });
    expect(good.status).toBe(200);
    expect(good.json()).toMatchObject({ body: '{"name":"rex"}', bodyBytes: 14 });
  });

  it('applies request transforms upstream and response transforms to the client', async () => {
    await configure(
      {
        requestHeaders: {
          add: { 'x-gateway': 'portcullis' },
          remove: ['x-internal'],
          rename: { 'x-client-tag': 'x-tag' },
        },
      },
      async () => false,
    );
    const res = await call(base, `${apiPath}/pets`, {
      headers: { ...bearer(key), 'x-internal': 'secret', 'x-client-tag': 'blue' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-policy-version']).toBe(String(version));
    const seen = world.upstream.seen.at(-1);
    expect(seen?.headers).toMatchObject({ 'x-gateway': 'portcullis', 'x-tag': 'blue' });
    expect(seen?.headers['x-internal']).toBeUndefined();
    expect(seen?.headers['x-client-tag']).toBeUndefined();
    expect(seen?.headers.authorization).toBeUndefined();

    await configure(
      { responseHeaders: { remove: ['x-upstream'], rename: { 'content-type': 'x-original-type' } } },
      async () => {
        const probe = await call(base, `${apiPath}/pets`, { headers: bearer(key) });
        return probe.headers['x-upstream'] === undefined;
      },
    );
    const transformed = await call(base, `${apiPath}/pets`, { headers: bearer(key) });
    expect(transformed.headers['x-upstream']).toBeUndefined();
    expect(transformed.headers['x-original-type']).toBe('application/json');
  });
});

/** POSTs a chunked body that keeps growing (up to 2 MB) until the gateway answers; returns the answer. */
function sendGrowingBody(
  url: URL,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } });
    let answered = false;
    req.on('error', () => undefined); // the gateway may close while we still write
    req.on('close', () => {
      if (!answered) resolve({ status: 0, body: 'connection closed without a response' });
    });
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    const chunk = Buffer.alloc(16 * 1024, 0x62);
    let sent = 0;
    const pump = setInterval(() => {
      if (req.destroyed || sent > 2_000_000) return clearInterval(pump);
      req.write(chunk);
      sent += chunk.length;
    }, 2);
  });
}

/** Writes with `send` on a raw socket, then waits 300 ms before reading what came back until it closes. */
function rawExchange(port: number, send: (socket: Socket) => void): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('connect', () => {
      send(socket);
      socket.pause(); // the client is busy sending: it reads nothing yet
      setTimeout(() => socket.resume(), 300);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => undefined); // ECONNRESET: what was received until then is the answer
    socket.on('close', () => resolve(received));
    setTimeout(() => socket.destroy(), 5_000).unref();
  });
}
