import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import { metricsRegistry } from '../src/ops/metrics.ts';
import { bearer, call, eventually, startWorld, type TestWorld } from './harness.ts';
import { freePort, sleep, startServer, type TestServer } from './upstream-servers.ts';

const MAX_BODY_BYTES = 4_096;
const REQUEST_TIMEOUT_MS = 1_500;
/** More than the breaker's default five consecutive failures, and a full error-rate window's worth. */
const FAULTS = 12;

async function metricValue(name: string): Promise<number> {
  const metric = (await metricsRegistry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).reduce((sum, v) => sum + Number(v.value), 0);
}
const openBreakers = () => metricValue('gateway_upstream_open_breakers');

interface RawUpload {
  socket: Socket;
  /** everything the gateway sent back */
  text: () => string;
  closed: Promise<void>;
  write(bytes: string | Buffer): void;
}

/** Opens a connection and sends a request head; the body is written by the test, bit by bit. */
function startUpload(port: number, head: string): RawUpload {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
  });
  // The gateway may cut the connection while the client still writes (a 413): EPIPE/ECONNRESET.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(head);
  return {
    socket,
    text: () => text,
    closed,
    write: (bytes) => {
      if (!socket.destroyed && socket.writable) socket.write(bytes);
    },
  };
}

const chunk = (size: number) => `${size.toString(16)}\r\n${'a'.repeat(size)}\r\n`;

describe('client-side faults never count against an upstream target', () => {
  let world: TestWorld;
  let port: number;
  const servers: TestServer[] = [];

  /**
   * An API with a small body limit behind `upstreamUrl` (and `extraTargets`), and two consumers on it.
   * Retries on; breaker at its defaults (5 consecutive failures or 50 % of 20 open it for 10 s).
   */
  async function seedApi(
    upstreamUrl: string,
    extraTargets: string[] = [],
    upstream: Record<string, unknown> = { retries: { attempts: 2, budgetPercent: 100 } },
  ) {
    const provider = await seedProviderWithApi(world.db, {
      upstreamUrl,
      rateLimit: null,
      monthlyQuota: null,
      requiresApproval: false,
    });
    await world.db.api.update({
      where: { id: provider.api.id },
      data: {
        policies: { maxBodyBytes: MAX_BODY_BYTES },
        upstream: { targets: extraTargets.map((url) => ({ url, weight: 100 })), ...upstream },
      },
    });
    const offender = await seedConsumerWithKey(world.db, provider.plan.id);
    const bystander = await seedConsumerWithKey(world.db, provider.plan.id);
    return {
      path: `/${provider.org.slug}/${provider.api.slug}`,
      offender: offender.plaintext,
      bystander: bystander.plaintext,
    };
  }

  /** A test upstream that records every request it starts receiving and reads bodies to the end. */
  async function recordingUpstream(name: string) {
    const server = await startServer(name, (req, res) => {
      req.resume();
      req.on('end', () => res.end(name));
    });
    servers.push(server);
    return server;
  }

  const head = (path: string, key: string, framing: string) =>
    `POST ${path} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${key}\r\n${framing}\r\n\r\n`;

  /** The upstream has started receiving `count` requests: the fault lands while the request is in flight. */
  const reached = (count: () => number, expected: number, upload: RawUpload) =>
    eventually(async () => count() >= expected, 5_000).catch(() => {
      throw new Error(`upload ${expected} never reached the upstream: ${upload.text().split('\r\n')[0]}`);
    });

  /** Another consumer is served, and no breaker opened since `breakersBefore` was read. */
  async function expectBystanderServed(path: string, key: string, name: string, breakersBefore: number) {
    const res = await call(world.gateway.url, `${path}/after`, { headers: bearer(key) });
    expect(res.status, res.text).toBe(200);
    expect(res.text).toBe(name);
    expect(await openBreakers()).toBe(breakersBefore);
  }

  beforeAll(async () => {
    world = await startWorld({
      redis: false,
      headersTimeoutMs: 1_000,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    port = Number(new URL(world.gateway.url).port);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await world?.close();
  });

  it('oversized chunked uploads get 413 and do not open the breaker for other consumers', async () => {
    const upstream = await recordingUpstream('oversized');
    const api = await seedApi(upstream.url);
    const breakersBefore = await openBreakers();
    for (let i = 1; i <= FAULTS; i++) {
      const upload = startUpload(
        port,
        head(`${api.path}/upload`, api.offender, 'Transfer-Encoding: chunked'),
      );
      upload.write(chunk(1_024));
      await reached(() => upstream.hits, i, upload);
      for (let sent = 1_024; sent <= MAX_BODY_BYTES; sent += 1_024) upload.write(chunk(1_024));
      await upload.closed;
      expect(upload.text()).toMatch(/^HTTP\/1\.1 413 /);
      expect(upload.text()).toContain('"code":"payload_too_large"');
    }
    expect(upstream.hits).toBe(FAULTS);
    await expectBystanderServed(api.path, api.bystander, 'oversized', breakersBefore);
  });

  it('uploads the client abandons mid-body do not open the breaker for other consumers', async () => {
    const upstream = await recordingUpstream('abandoned');
    const api = await seedApi(upstream.url);
    const breakersBefore = await openBreakers();
    for (let i = 1; i <= FAULTS; i++) {
      // Half declared, half chunked: both framings of a body cut short by the client.
      const framing = i % 2 === 0 ? 'Content-Length: 4000' : 'Transfer-Encoding: chunked';
      const upload = startUpload(port, head(`${api.path}/upload`, api.offender, framing));
      upload.write(i % 2 === 0 ? 'a'.repeat(2_048) : chunk(2_048));
      await reached(() => upstream.hits, i, upload);
      // Either hangs up outright or only stops sending (half-close) and waits for an answer.
      if (i % 4 < 2) upload.socket.destroy();
      else upload.socket.end();
      await upload.closed;
      // A half-closed body is cut short: refused as unparseable, never passed on as complete.
      if (i % 4 >= 2) expect(upload.text()).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect(upstream.hits).toBe(FAULTS);
    await sleep(100); // the gateway has seen every hang-up
    await expectBystanderServed(api.path, api.bystander, 'abandoned', breakersBefore);
  });

  it('uploads too slow for the request timeout do not open the breaker for other consumers', async () => {
    const upstream = await recordingUpstream('slow');
    const api = await seedApi(upstream.url);
    const breakersBefore = await openBreakers();
    // Stalled all at once: each is cut by the gateway's request timeout, not by the client.
    const uploads = Array.from({ length: 6 }, () =>
      startUpload(port, head(`${api.path}/upload`, api.offender, 'Content-Length: 4000')),
    );
    for (const [i, upload] of uploads.entries()) {
      upload.write('a'.repeat(1_024));
      await reached(() => upstream.hits, i + 1, upload);
    }
    await Promise.all(uploads.map((u) => u.closed));
    for (const upload of uploads) expect(upload.text()).toMatch(/^(HTTP\/1\.1 408 |$)/);
    await expectBystanderServed(api.path, api.bystander, 'slow', breakersBefore);
  });

  it('an upload the client abandons is not retried on another target', async () => {
    const a = await recordingUpstream('a');
    const b = await recordingUpstream('b');
    const api = await seedApi(a.url, [b.url]);
    for (let i = 0; i < 4; i++) {
      const upload = startUpload(port, head(`${api.path}/upload`, api.offender, 'Content-Length: 4000'));
      upload.write('a'.repeat(2_048));
      await reached(() => a.hits + b.hits, i + 1, upload);
      upload.socket.destroy();
      await upload.closed;
    }
    await sleep(200);
    expect(a.hits + b.hits).toBe(4);
  });

  it('abandoned uploads do not enlarge the retry budget against a failing upstream', async () => {
    const a = await recordingUpstream('a');
    const b = await recordingUpstream('b');
    const api = await seedApi(a.url, [b.url], {
      retries: { attempts: 1, budgetPercent: 20 },
      circuitBreaker: { enabled: false },
    });
    const abandoned = 40;
    for (let i = 0; i < abandoned; i++) {
      const upload = startUpload(port, head(`${api.path}/upload`, api.offender, 'Content-Length: 4000'));
      upload.write('a'.repeat(2_048));
      await reached(() => a.hits + b.hits, i + 1, upload);
      upload.socket.destroy();
      await upload.closed;
    }
    // Both targets go away: every GET fails its first attempt and asks the budget for a retry.
    await Promise.all([a.close(), b.close()]);
    const retriesBefore = await metricValue('gateway_upstream_retries_total');
    const gets = 20;
    for (let i = 0; i < gets; i++) {
      const res = await call(world.gateway.url, `${api.path}/x`, { headers: bearer(api.bystander) });
      expect(res.status).toBe(502);
    }
    const retries = (await metricValue('gateway_upstream_retries_total')) - retriesBefore;
    // 20 % of the 20 GETs (at least 3 per window); the abandoned uploads buy none.
    expect(retries).toBeGreaterThanOrEqual(3);
    expect(retries).toBeLessThanOrEqual(gets * 0.2);
  });

  it('a genuinely failing upstream still opens the breaker', async () => {
    const api = await seedApi(`http://127.0.0.1:${await freePort()}`);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await call(world.gateway.url, `${api.path}/x`, {
        method: 'POST',
        headers: bearer(api.offender),
        body: 'x',
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([502, 502, 502, 502, 502, 503]);
    const other = await call(world.gateway.url, `${api.path}/x`, { headers: bearer(api.bystander) });
    expect(other.status).toBe(503);
    expect(other.json()).toMatchObject({ code: 'upstream_unavailable' });
    expect(await openBreakers()).toBeGreaterThanOrEqual(1);
  });
});
