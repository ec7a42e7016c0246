import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startWorld, type TestWorld } from './harness.ts';
import { seedRoute, sleep } from './upstream-servers.ts';

const HEADERS_TIMEOUT_MS = 1_000;

interface RawExchange {
  text: string;
  closed: boolean;
}

/** Writes raw bytes and collects everything until the server closes the socket (or `waitMs` passes). */
function rawExchange(port: number, payload: string, waitMs = 3_000): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(payload));
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, waitMs);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') resolve({ text, closed: true });
      else reject(error);
    });
  });
}

function expectRejected(exchange: RawExchange): Record<string, unknown> {
  expect(exchange.closed).toBe(true);
  expect(exchange.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  const head = exchange.text.slice(0, exchange.text.indexOf('\r\n\r\n')).toLowerCase();
  expect(head).toContain('content-type: application/problem+json');
  expect(head).toContain('connection: close');
  // exactly one response: nothing smuggled behind it was answered
  expect(exchange.text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  const body = JSON.parse(exchange.text.slice(exchange.text.indexOf('\r\n\r\n') + 4)) as Record<
    string,
    unknown
  >;
  expect(body).toMatchObject({ status: 400, code: 'bad_request' });
  return body;
}

describe('connection hardening', () => {
  let world: TestWorld;
  let port: number;
  let route: Awaited<ReturnType<typeof seedRoute>>;

  beforeAll(async () => {
    world = await startWorld({ redis: false, headersTimeoutMs: HEADERS_TIMEOUT_MS });
    port = Number(new URL(world.gateway.url).port);
    route = await seedRoute(world.db, world.upstream.url);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('sanity: a well-formed raw request on the same path is proxied', async () => {
    const exchange = await rawExchange(
      port,
      `POST ${route.path}/x HTTP/1.1\r\nHost: gw\r\nAuthorization: ${route.auth.authorization}\r\n` +
        'Content-Length: 5\r\nConnection: close\r\n\r\nhello',
    );
    expect(exchange.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it.each([
    [
      'Content-Length with Transfer-Encoding',
      'POST {path} HTTP/1.1\r\nHost: gw\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: gw\r\n\r\n',
    ],
    [
      'duplicate differing Content-Length',
      'POST {path} HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\nhelloGET /smuggled HTTP/1.1\r\nHost: gw\r\n\r\n',
    ],
    [
      'an invalid chunk size',
      'POST {path} HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n',
    ],
    ['obs-fold header continuation', 'GET {path} HTTP/1.1\r\nHost: gw\r\nX-Folded: a\r\n  b\r\n\r\n'],
    [
      'Transfer-Encoding not ending in chunked',
      'POST {path} HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
    ],
  ])('answers %s with 400 problem+json and closes the connection', async (_name, template) => {
    const seenBefore = world.upstream.seen.length;
    const payload = template.replace('{path}', `${route.path}/x`);
    expectRejected(await rawExchange(port, payload));
    expect(world.upstream.seen.slice(seenBefore).some((r) => r.url.includes('smuggled'))).toBe(false);
  });

  it('refuses TRACE with 405 problem+json and never forwards it (cross-site tracing)', async () => {
    const seenBefore = world.upstream.seen.length;
    const sent =
      `TRACE ${route.path}/x HTTP/1.1\r\nHost: gw\r\nAuthorization: ${route.auth.authorization}\r\n` +
      'Cookie: session=secret\r\nConnection: close\r\n\r\n';
    const exchange = await rawExchange(port, sent);
    expect(exchange.text).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    const head = exchange.text.slice(0, exchange.text.indexOf('\r\n\r\n')).toLowerCase();
    expect(head).toContain('content-type: application/problem+json');
    expect(head).toMatch(/\r\nallow: get, head, post, put, patch, delete, options\r\n/);
    const body = JSON.parse(exchange.text.slice(exchange.text.indexOf('\r\n\r\n') + 4)) as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject({ status: 405, code: 'method_not_allowed' });
    expect(exchange.text).not.toContain('session=secret'); // nothing echoed back
    await sleep(100);
    expect(world.upstream.seen.slice(seenBefore).map((r) => r.method)).not.toContain('TRACE');
  });

  it.each([
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'],
    ['an HTTP/2.0 request line', 'GET {path} HTTP/2.0\r\nHost: gw\r\n\r\n'],
    ['an HTTP/9.9 request line', 'GET {path} HTTP/9.9\r\nHost: gw\r\n\r\n'],
    ['an HTTP/0.9 request line with headers', 'GET {path} HTTP/0.9\r\nHost: gw\r\n\r\n'],
    ['the HTTP/2 connection preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ])('answers %s with 400 problem+json instead of dropping the connection', async (_name, template) => {
    const seenBefore = world.upstream.seen.length;
    const payload = template.replace('{path}', `${route.path}/x`);
    expectRejected(await rawExchange(port, payload));
    expect(world.upstream.seen.length).toBe(seenBefore);
  });

  it.each([
    ['HTTP/9.9', 'GET {path}/x HTTP/9.9\r\nHost: gw\r\n\r\n'],
    ['HTTP/2.0', 'GET {path}/x HTTP/2.0\r\nHost: gw\r\n\r\n'],
    ['CONNECT', 'CONNECT gw:443 HTTP/1.1\r\nHost: gw:443\r\n\r\n'],
  ])(
    'answers a %s request pipelined behind a proxied one with 400 after its response',
    async (_name, bad) => {
      const seenBefore = world.upstream.seen.length;
      const served = `GET ${route.path}/first HTTP/1.1\r\nHost: gw\r\nAuthorization: ${route.auth.authorization}\r\n\r\n`;
      const exchange = await rawExchange(port, served + bad.replace('{path}', route.path));
      expect(exchange.closed).toBe(true);
      const responses = exchange.text.split(/(?=HTTP\/1\.1 \d{3} )/);
      expect(responses).toHaveLength(2);
      expect(responses[0]).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expectRejected({ closed: true, text: responses[1] ?? '' });
      expect(world.upstream.seen.slice(seenBefore).map((r) => r.url)).toEqual(['/first']);
    },
  );

  it('never forwards a request pipelined behind a refused HTTP/2.0 request line', async () => {
    const seenBefore = world.upstream.seen.length;
    const exchange = await rawExchange(
      port,
      `GET ${route.path}/x HTTP/2.0\r\nHost: gw\r\n\r\n` +
        `GET ${route.path}/smuggled HTTP/1.1\r\nHost: gw\r\nAuthorization: ${route.auth.authorization}\r\n\r\n`,
    );
    expectRejected(exchange);
    await sleep(100);
    expect(world.upstream.seen.length).toBe(seenBefore);
  });

  it('closes slowloris connections after the header timeout while normal clients are served promptly', async () => {
    const slow: { socket: Socket; closedAt?: number; text: string }[] = [];
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const socket = connect(port, '127.0.0.1');
      const entry: { socket: Socket; closedAt?: number; text: string } = { socket, text: '' };
      socket.on('data', (chunk: Buffer) => {
        entry.text += chunk.toString();
      });
      socket.on('close', () => {
        entry.closedAt = Date.now() - started;
      });
      socket.on('error', () => undefined);
      slow.push(entry);
    }
    // Dribble a never-ending request head, one byte every 100 ms.
    const head = `GET ${route.path}/x HTTP/1.1\r\nHost: gw\r\nX-Slow: ${'a'.repeat(1_000)}`;
    let offset = 0;
    const dribble = setInterval(() => {
      for (const entry of slow) if (!entry.socket.destroyed) entry.socket.write(head.charAt(offset));
      offset += 1;
    }, 100);
    try {
      const latencies: number[] = [];
      while (Date.now() - started < HEADERS_TIMEOUT_MS + 1_500) {
        const before = performance.now();
        const res = await call(world.gateway.url, `${route.path}/x`, { headers: route.auth });
        latencies.push(performance.now() - before);
        expect(res.status).toBe(200);
        await sleep(50);
      }
      expect(latencies.length).toBeGreaterThan(10);
      expect(Math.max(...latencies)).toBeLessThan(500);
      await sleep(1_000);
    } finally {
      clearInterval(dribble);
    }
    for (const entry of slow) {
      expect(entry.closedAt, 'slow socket still open').toBeDefined();
      // closed by the header timeout (1 s + the checking interval), not much later
      expect(entry.closedAt).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
      expect(entry.closedAt).toBeLessThan(HEADERS_TIMEOUT_MS + 1_500);
      expect(entry.text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(entry.text).toContain('"code":"request_timeout"');
    }
  });
});
