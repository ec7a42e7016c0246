import type { ServerResponse } from 'node:http';

type End = ServerResponse['end'];

/**
 * Holds back the end of a response until `beforeEnd` has settled. Every writer in the gateway sends the
 * last bytes of a body with `end()` (the relay holds back the chunk completing a Content-Length; cached and problem responses
 * are a single `end(body)`; a chunked body's terminator is only written by `end()`), so until then the client cannot have the complete response. Used to send
 * the usage record to Redis before a request can count as answered: the XADD and the response's last
 * bytes are written in the same event-loop turn, so a gateway killed before it leaves the client with a
 * broken response, which it does not count, and nothing billed.
 *
 * `beforeEnd` gets the bytes passed to `end()` (for byte counts) and must not reject.
 */
export function endAfter(res: ServerResponse, beforeEnd: (lastChunk: unknown) => Promise<void>): void {
  const originalEnd = res.end as (...args: unknown[]) => ServerResponse;
  let ended = false;
  // Other wrappers (the policy engine's response tap) may wrap this one and restore it later: it stays
  // installed and only its first call waits.
  res.end = function end(this: ServerResponse, ...args: unknown[]) {
    if (ended || res.destroyed) return originalEnd.apply(this, args);
    ended = true;
    const finish = () => originalEnd.apply(this, args);
    beforeEnd(args[0]).then(finish, finish);
    return this;
  } as End;
}

/** Bytes in what `end()` was given, whatever its type. */
export function chunkLength(chunk: unknown): number {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return 0;
  if (typeof chunk === 'string') return Buffer.byteLength(chunk);
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}
