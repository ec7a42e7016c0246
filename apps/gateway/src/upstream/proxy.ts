import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline as pipelineCallback, type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Dispatcher, Pool } from 'undici';
import { type GatewayProblem, problem } from '../http/problem.ts';
import { joinUpstreamPath } from '../pipeline/route.ts';
import { err, ok, type Result } from '../result.ts';
import { downstreamResponseHeaders, type ForwardingInfo, upstreamRequestHeaders } from './headers.ts';

export interface ForwardTarget {
  upstreamUrl: string;
  rest: string;
  query: string;
}

export interface ForwardStats {
  status: number;
  upstreamMs: number;
  bytesIn: number;
  bytesOut: number;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects fail with an AggregateError of per-address errors.
  const inner = (error as { errors?: unknown[] }).errors?.[0];
  return inner === undefined ? undefined : errorCode(inner);
}

/** HTTP/1.1 requests carry a body only when framed by Transfer-Encoding or a non-zero Content-Length. */
function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/** Forwards through one undici Pool per upstream origin; bodies stream both ways with backpressure. */
export class UpstreamClient {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: { timeoutMs: number }) {}

  /**
   * Streams the request to the upstream and the response back. Returns a problem only while nothing
   * has been sent to the client; a failure mid-response destroys the connection instead.
   */
  async forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: ForwardTarget,
    info: ForwardingInfo,
    extraHeaders: Record<string, string>,
  ): Promise<Result<ForwardStats, GatewayProblem & { upstreamMs: number; bytesIn: number }>> {
    const url = URL.canParse(target.upstreamUrl) ? new URL(target.upstreamUrl) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      return err({
        ...problem('upstream_unreachable', 'The API has no valid upstream URL.'),
        upstreamMs: 0,
        bytesIn: 0,
      });
    }
    const started = performance.now();
    const stats = { bytesIn: 0, bytesOut: 0 };
    const abort = new AbortController();
    const onClientGone = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.once('close', onClientGone);

    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool(url.origin).request({
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        path: joinUpstreamPath(url.pathname, target.rest, target.query),
        headers: upstreamRequestHeaders(req.headers, info),
        body: hasBody(req) ? countBytes(req, stats) : null,
        signal: abort.signal,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
    } catch (error) {
      res.off('close', onClientGone);
      const upstreamMs = Math.round(performance.now() - started);
      const code = errorCode(error);
      if (code && TIMEOUT_CODES.has(code)) {
        return err({
          ...problem('upstream_timeout', 'The upstream did not answer in time.'),
          upstreamMs,
          bytesIn: stats.bytesIn,
        });
      }
      return err({
        ...problem('upstream_unreachable', 'The upstream could not be reached.'),
        upstreamMs,
        bytesIn: stats.bytesIn,
      });
    }

    const headers = downstreamResponseHeaders(response.headers);
    res.writeHead(response.statusCode, { ...headers, ...extraHeaders });
    response.body.on('data', (chunk: Buffer) => {
      stats.bytesOut += chunk.length;
    });
    try {
      await pipeline(response.body, res);
    } catch {
      // Client went away or the upstream broke mid-body: nothing useful can be sent any more.
      res.destroy();
    } finally {
      res.off('close', onClientGone);
    }
    return ok({
      status: response.statusCode,
      upstreamMs: Math.round(performance.now() - started),
      bytesIn: stats.bytesIn,
      bytesOut: stats.bytesOut,
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close().catch(() => pool.destroy())));
    this.pools.clear();
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: 256, connectTimeout: Math.min(10_000, this.options.timeoutMs) });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}

/** Passes the request body through untouched, counting bytes; backpressure flows from the upstream socket. */
function countBytes(source: IncomingMessage, stats: { bytesIn: number }): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      stats.bytesIn += chunk.length;
      done(null, chunk);
    },
  });
  // An aborted client upload destroys the counter, which fails the upstream request as it should.
  pipelineCallback(source, counter, () => undefined);
  return counter;
}
