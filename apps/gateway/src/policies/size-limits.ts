import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { ApiPolicies } from '@portcullis/core/policies';
import { type GatewayProblem, problem } from '../http/problem.ts';
import { err, ok, type Result } from '../result.ts';

/** Method allow-list, header count/size and declared body size: everything knowable from the head. */
export function checkRequestHead(
  policies: ApiPolicies,
  method: string,
  rawHeaders: readonly string[],
  contentLength: string | undefined,
): Result<void, GatewayProblem> {
  if (policies.allowedMethods.length > 0 && !policies.allowedMethods.includes(method)) {
    return err(
      problem('method_not_allowed', `This API does not accept ${method} requests.`, {
        allow: policies.allowedMethods.join(', '),
      }),
    );
  }
  const count = rawHeaders.length / 2;
  // name + ": " + value + CRLF, as on the wire
  let bytes = 0;
  for (const field of rawHeaders) bytes += Buffer.byteLength(field) + 2;
  if (count > policies.maxHeaderCount || bytes > policies.maxHeaderBytes) {
    return err(
      problem(
        'headers_too_large',
        `Request headers exceed this API's limits (${policies.maxHeaderCount} fields, ${policies.maxHeaderBytes} bytes).`,
      ),
    );
  }
  if (contentLength !== undefined && Number(contentLength) > policies.maxBodyBytes)
    return err(tooLarge(policies));
  return ok(undefined);
}

export const tooLarge = (policies: Pick<ApiPolicies, 'maxBodyBytes'>): GatewayProblem =>
  // The rest of the body is never read: close the connection rather than drain it.
  problem('payload_too_large', `The request body exceeds ${policies.maxBodyBytes} bytes.`, {
    connection: 'close',
  });

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The request body, passed on as it arrives with backpressure, failing with BodyTooLargeError once more
 * than `limit` bytes came in (which aborts the upstream request). The client socket is not destroyed, so
 * a 413 can still be answered. The stream carries the request's method and headers for the forwarder.
 */
export function limitBody(
  req: IncomingMessage,
  limit: number,
): { body: IncomingMessage; exceeded: () => boolean } {
  let received = 0;
  let over = false;
  const limited = new Readable({
    read() {
      req.resume();
    },
  });
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limit) {
      over = true;
      req.off('data', onData);
      req.pause();
      limited.destroy(new BodyTooLargeError(limit));
      return;
    }
    if (!limited.push(chunk)) req.pause();
  };
  req.on('data', onData);
  req.once('end', () => {
    if (!over) limited.push(null);
  });
  req.once('error', (error) => limited.destroy(error));
  req.once('aborted', () => limited.destroy(new Error('client aborted the request')));
  return { body: asRequest(limited, req), exceeded: () => over };
}

/**
 * Reads the whole body, refusing more than `limit` bytes; used only when the body must be inspected
 * (OpenAPI validation, AI requests). Past the limit it stops reading without destroying the socket, so
 * the 413 still reaches the client (whose connection the problem's `Connection: close` then ends). A body
 * that breaks off (client gone, malformed chunking) is `broken`. `onBytes` sees every chunk received.
 */
export function bufferBody(
  req: IncomingMessage,
  limit: number,
  onBytes?: (length: number) => void,
): Promise<Result<Buffer, 'too_large' | 'broken'>> {
  if (req.readableEnded) return Promise.resolve(ok(Buffer.alloc(0)));
  if (req.destroyed) return Promise.resolve(err('broken'));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (result: Result<Buffer, 'too_large' | 'broken'>) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onBroken);
      req.off('close', onBroken);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      onBytes?.(chunk.length);
      if (received > limit) {
        req.pause();
        settle(err('too_large'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle(ok(Buffer.concat(chunks)));
    const onBroken = () => settle(err('broken'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onBroken);
    req.once('close', onBroken);
  });
}

/** A stream standing in for the request when its body was read already or is being limited. */
function asRequest(body: Readable, req: IncomingMessage): IncomingMessage {
  return Object.assign(body, {
    method: req.method,
    url: req.url,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    httpVersion: req.httpVersion,
    socket: req.socket,
  }) as unknown as IncomingMessage;
}

export const replayBody = (bytes: Buffer, req: IncomingMessage): IncomingMessage =>
  asRequest(Readable.from(bytes.length > 0 ? [bytes] : []), req);
