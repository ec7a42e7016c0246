import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { type ProblemCode, problem, problemBody, sendProblem } from './problem.ts';

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
function hardenedServerOptions(options: HardeningOptions): ServerOptions {
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

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTP server for `handler` with every guard below: timeouts, request-line checks, parse errors. */
export function createHardenedServer(options: HardeningOptions, handler: RequestListener): Server {
  const server = createServer(hardenedServerOptions(options), refusingUnsupportedRequests(handler));
  hardenServer(server, options);
  return server;
}

/** Sets the timeouts on a server and answers unparseable or too-slow requests with problem+json. */
function hardenServer(server: Server, options: HardeningOptions): void {
  server.headersTimeout = options.headersTimeoutMs;
  server.requestTimeout = options.requestTimeoutMs;
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const reason = codeFor(error);
    if (reason) rejectConnection(socket, reason);
    else socket.destroy();
  });
  // Without a listener node:http drops a CONNECT connection without a word: this is no forward proxy.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) =>
    rejectConnection(socket, {
      code: 'bad_request',
      detail: 'CONNECT is not supported: this gateway is not a forward proxy.',
    }),
  );
}

/** What the gateway forwards; TRACE is not among them. */
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
/** node:http also parses HTTP/0.9 and HTTP/2.0 request lines as if they were HTTP/1.x. */
const HTTP_VERSIONS = new Set(['1.0', '1.1']);

/**
 * Request lines the gateway refuses before any other step sees them: TRACE (it would echo the
 * request's credentials back to a script: cross-site tracing) with 405, and HTTP versions other than
 * 1.0 and 1.1 with 400 and the connection closed. The parser treats such a request as the connection's
 * last: whatever is pipelined behind it is a parse error, which gets no second answer.
 */
function refusingUnsupportedRequests(handler: RequestListener): RequestListener {
  return (req, res) => {
    if (!HTTP_VERSIONS.has(req.httpVersion)) {
      req.resume();
      res.shouldKeepAlive = false;
      sendProblem(
        res,
        problem('bad_request', `HTTP/${req.httpVersion} is not supported; use HTTP/1.1.`, {
          connection: 'close',
        }),
        randomUUID(),
      );
      return;
    }
    if (req.method === 'TRACE') {
      req.resume();
      sendProblem(
        res,
        problem('method_not_allowed', 'TRACE is not supported by this gateway.', { allow: ALLOWED_METHODS }),
        randomUUID(),
      );
      return;
    }
    handler(req, res);
  };
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
 * A request the parser refused (possible smuggling), a CONNECT, or a client too slow: one raw HTTP/1.1
 * problem response with `Connection: close`, then the socket is destroyed; nothing more is read from it.
 * Pipelined behind a request received whole whose response is still under way, the refusal follows
 * that response instead of cutting it off.
 */
function rejectConnection(socket: Duplex, reason: { code: ProblemCode; detail: string }): void {
  // node:http detaches a response from its socket before emitting its 'close'.
  const responding = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (responding?.req.complete) {
    responding.once('close', () => setImmediate(() => rejectConnection(socket, reason)));
    return;
  }
  // The broken request's own answer has begun: nothing can follow it.
  if (responding?.headersSent) {
    socket.destroy();
    return;
  }
  // Closing after its last answer (which destroying now could cut short): no second answer, and never
  // left half-open.
  if (!socket.writable) {
    setTimeout(() => socket.destroy(), 1_000).unref();
    return;
  }
  const requestId = randomUUID();
  const body = problemBody(problem(reason.code, reason.detail), requestId);
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${body.status} ${body.title}\r\ncontent-type: application/problem+json\r\nx-request-id: ${requestId}\r\n` +
      `cache-control: no-store\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    () => socket.destroy(),
  );
  // A peer that never reads would keep the socket half-closed forever.
  setTimeout(() => socket.destroy(), 1_000).unref();
}
