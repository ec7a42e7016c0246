import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export interface ResponseTap {
  /** Called once, just before the head is sent, with the headers the writer passed to writeHead. */
  onHead(status: number, passed: OutgoingHttpHeaders): void;
  /** Copies the body as it is written, up to maxBytes (more → `complete` gets null). */
  capture?: { maxBytes: number; complete(body: Buffer | null): void };
}

type WriteHead = ServerResponse['writeHead'];

function passedHeaders(args: unknown[]): OutgoingHttpHeaders {
  const headers = args.find((a) => typeof a === 'object' && a !== null);
  if (!headers) return {};
  if (!Array.isArray(headers)) return headers as OutgoingHttpHeaders;
  // writeHead also takes a flat [name, value, name, value…] array.
  const out: OutgoingHttpHeaders = {};
  for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = headers[i + 1];
  return out;
}

/**
 * Lets the gateway change the head and copy the body of a response somebody else writes (the upstream
 * forwarder), the way on-headers style middleware does: writeHead/write/end are wrapped on this one
 * response object. Returns a function that restores the originals.
 */
export function tapResponse(res: ServerResponse, tap: ResponseTap): () => void {
  const originalWriteHead = res.writeHead;
  const originalWrite = res.write;
  const originalEnd = res.end;
  let chunks: Buffer[] | null = tap.capture ? [] : null;
  let captured = 0;
  const keep = (chunk: unknown, encoding: unknown) => {
    if (!chunks || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.from(chunk as Uint8Array);
    captured += bytes.length;
    if (captured > (tap.capture?.maxBytes ?? 0)) chunks = null;
    else chunks.push(Buffer.from(bytes));
  };

  res.writeHead = function writeHead(this: ServerResponse, statusCode: number, ...args: unknown[]) {
    const headers = passedHeaders(args);
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) this.setHeader(name, value);
    tap.onHead(statusCode, headers);
    const message = typeof args[0] === 'string' ? args[0] : undefined;
    const send = originalWriteHead as (code: number, message?: string) => ServerResponse;
    return message === undefined ? send.call(this, statusCode) : send.call(this, statusCode, message);
  } as WriteHead;
  res.write = function write(this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (originalWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function end(this: ServerResponse, ...args: unknown[]) {
    keep(args[0], args[1]);
    return (originalEnd as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['end'];
  if (tap.capture) {
    const capture = tap.capture;
    res.once('finish', () => capture.complete(chunks ? Buffer.concat(chunks) : null));
  }
  return () => {
    res.writeHead = originalWriteHead;
    res.write = originalWrite;
    res.end = originalEnd;
  };
}
