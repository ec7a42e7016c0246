import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline, type Readable, Transform } from 'node:stream';
import type { RouteRecord } from '../config/repository.ts';
import { applyHeaderTransform, isEmptyTransform, recordAccess } from '../policies/transforms.ts';
import { err, ok, type Result } from '../result.ts';
import { downstreamResponseHeaders, upstreamRequestHeaders } from '../upstream/headers.ts';
import type { ExchangeResponse } from '../upstream/proxy.ts';
import { SESSION_HEADER } from './session.ts';
import { rewriteSseData } from './sse.ts';
import { filterToolsJson, type ToolPolicy } from './tools.ts';

/** A JSON answer is read whole (to filter it, and to end the response with its last byte); past this it is refused. */
export const MAX_JSON_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * The upstream request's headers: the client's minus its credentials and hop-by-hop headers (as for
 * REST APIs), the gateway's session id swapped for the upstream's own, then the API's header transform.
 */
export function upstreamHeaders(
  req: IncomingMessage,
  route: RouteRecord,
  info: { requestId: string; traceparent?: string | undefined },
  upstreamSessionId: string | undefined,
): Record<string, string | string[]> {
  const headers = upstreamRequestHeaders(req.headers, {
    clientIp: req.socket.remoteAddress,
    proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
    host: req.headers.host,
    requestId: info.requestId,
    ...(info.traceparent === undefined ? {} : { traceparent: info.traceparent }),
  });
  // the body is sent from a buffer: undici frames it
  delete headers['content-length'];
  delete headers[SESSION_HEADER];
  if (upstreamSessionId !== undefined) headers[SESSION_HEADER] = upstreamSessionId;
  if (!isEmptyTransform(route.policies.requestHeaders))
    applyHeaderTransform(recordAccess(headers), route.policies.requestHeaders, 'request');
  return headers;
}

export const mediaType = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? value[0] : value)?.split(';')[0]?.trim().toLowerCase() ?? '';

export interface RelayOptions {
  /** drop tools the API does not offer from tools/list results; null: pass the body as it is */
  filter: ToolPolicy | null;
  /** the gateway's session id for the client (the upstream's never leaves the gateway) */
  sessionId: string | undefined;
  /** RateLimit headers and the like */
  extraHeaders: Record<string, string>;
  route: RouteRecord;
  counters: { bytesOut: number };
  /** an event stream may stay open for hours: this is asked now and then whether it may go on */
  watch?: StreamWatch | undefined;
}

export interface StreamWatch {
  everyMs: number;
  /** null: the stream goes on; else the error code it is cut off with */
  check(): Promise<string | null>;
}

/** How a relayed answer ended; `cut`: the gateway ended the stream (see `cutBy`). */
export type RelayEnding = 'complete' | 'client_gone' | 'upstream_broke' | 'cut';

export interface Relayed {
  ending: RelayEnding;
  cutBy?: string;
}

/**
 * Sends the upstream's answer to the client. An event stream is relayed event by event (filtered when
 * asked); anything else is read whole first, so a body too large or broken off can still be answered
 * with an error, and the client gets the last byte only with end().
 */
export async function relayAnswer(
  res: ServerResponse,
  answer: ExchangeResponse,
  options: RelayOptions,
): Promise<Result<Relayed, 'too_large' | 'broken'>> {
  const head = downstreamResponseHeaders(answer.headers);
  delete head[SESSION_HEADER];
  if (options.sessionId !== undefined) head[SESSION_HEADER] = options.sessionId;
  Object.assign(head, options.extraHeaders);
  const transform = options.route.policies.responseHeaders;
  if (!isEmptyTransform(transform)) applyHeaderTransform(headAccess(head), transform, 'response');

  if (mediaType(answer.headers['content-type']) === 'text/event-stream') {
    delete head['content-length'];
    res.writeHead(answer.status, head);
    return ok(await streamEvents(res, answer.body, options));
  }
  const body = await readWhole(answer.body);
  if (!body.ok) return body;
  const filtered = options.filter ? filterToolsJson(body.value.toString('utf8'), options.filter) : null;
  const bytes = filtered === null ? body.value : Buffer.from(filtered);
  head['content-length'] = String(bytes.length);
  res.writeHead(answer.status, head);
  options.counters.bytesOut += bytes.length;
  res.end(bytes);
  return ok({ ending: 'complete' });
}

function streamEvents(res: ServerResponse, body: Readable, options: RelayOptions): Promise<Relayed> {
  const filter = options.filter;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      options.counters.bytesOut += chunk.length;
      done(null, chunk);
    },
  });
  const stages = filter ? [rewriteSseData((data) => filterToolsJson(data, filter)), counter] : [counter];
  // Whichever side fails first broke the relay off; pipeline then destroys the other.
  let first: Relayed | undefined;
  res.once('close', () => {
    if (!res.writableFinished) first ??= { ending: 'client_gone' };
  });
  for (const stream of [body, ...stages])
    stream.once('error', () => (first ??= { ending: 'upstream_broke' }));
  const watch = options.watch;
  const timer = watch
    ? setInterval(() => {
        void watch.check().then(
          (cutBy) => {
            if (cutBy === null || first) return;
            first = { ending: 'cut', cutBy };
            body.destroy();
          },
          () => undefined, // a failing check (store down) lets the stream go on
        );
      }, watch.everyMs)
    : undefined;
  timer?.unref();
  return new Promise((resolve) => {
    pipeline([body, ...stages, res], (error) => {
      clearInterval(timer);
      resolve(error ? (first ?? { ending: 'upstream_broke' }) : { ending: 'complete' });
    });
  });
}

async function readWhole(body: Readable): Promise<Result<Buffer, 'too_large' | 'broken'>> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > MAX_JSON_ANSWER_BYTES) {
        body.destroy();
        return err('too_large');
      }
      chunks.push(chunk as Buffer);
    }
  } catch {
    return err('broken');
  }
  return ok(Buffer.concat(chunks));
}

function headAccess(head: OutgoingHttpHeaders) {
  return recordAccess(head as Record<string, string | string[] | number | undefined>);
}
