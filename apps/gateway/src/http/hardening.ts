import { randomUUID } from 'node:crypto';
import type { Server, ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ProblemCode, problem, problemBody, problemStatus } from './problem.ts';

export interface HardeningOptions {
  /** Time to receive a request's complete head; slowloris clients are cut off after this. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (0 disables; uploads must fit in it). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HARDENING: HardeningOptions = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
};

/**
 * Options that only take effect at createServer: Node checks the header and request timeouts on a
 * timer (30 s by default), far too coarse for a 10 s header deadline.
 */
export function hardenedServerOptions(options: HardeningOptions): ServerOptions {
  return {
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(options.headersTimeoutMs / 4))),
    // Strict parsing (the default, made explicit): smuggling vectors such as CL+TE, duplicate differing
    // Content-Length, bad chunk sizes and obs-fold are parse errors, answered by the clientError handler.
    insecureHTTPParser: false,
    requireHostHeader: true,
  };
}

/** Sets the timeouts on a server and answers unparseable or too-slow requests with problem+json. */
export function hardenServer(server: Server, options: HardeningOptions): void {
  server.headersTimeout = options.headersTimeoutMs;
  server.requestTimeout = options.requestTimeoutMs;
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => rejectConnection(error, socket));
}

function codeFor(error: NodeJS.ErrnoException): { code: ProblemCode; detail: string } | null {
  switch (error.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return null;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'request_timeout', detail: 'The request was not received in time.' };
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'headers_too_large', detail: 'The request headers are too large.' };
    default:
      return { code: 'bad_request', detail: 'The request is not valid HTTP.' };
  }
}

/**
 * A request the parser refused (possible smuggling) or a client too slow: one raw HTTP/1.1 problem
 * response with `Connection: close`, then the socket is destroyed; nothing more is read from it.
 */
function rejectConnection(error: NodeJS.ErrnoException, socket: Duplex): void {
  const reason = codeFor(error);
  // A response already started on this connection cannot be followed by another one.
  const responding = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!reason || !socket.writable || responding?.headersSent) {
    socket.destroy();
    return;
  }
  const requestId = randomUUID();
  const status = problemStatus(reason.code);
  const body = JSON.stringify(problemBody(problem(reason.code, reason.detail), requestId));
  const title = problemBody(problem(reason.code, reason.detail), requestId).title;
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\ncontent-type: application/problem+json\r\nx-request-id: ${requestId}\r\n` +
      `cache-control: no-store\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
  // A peer that never reads would keep the socket half-closed forever.
  setTimeout(() => socket.destroy(), 1_000).unref();
}
