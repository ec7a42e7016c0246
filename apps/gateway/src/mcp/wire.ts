import type { IncomingMessage, ServerResponse } from 'node:http';

export type ReadBody = { kind: 'ok'; text: string } | { kind: 'too_large' } | { kind: 'aborted' };

/**
 * The request body as UTF-8, at most `maxBytes`: a declared length over it is refused unread, and the
 * read stops as soon as more arrives. `counters.bytesIn` follows what was read.
 */
export async function readBody(
  req: IncomingMessage,
  maxBytes: number,
  counters: { bytesIn: number },
): Promise<ReadBody> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return { kind: 'too_large' };
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const finish = (outcome: ReadBody) => {
      req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onClose);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      counters.bytesIn += chunk.length;
      // the rest is drained (or the connection closed) by the refusal
      if (counters.bytesIn > maxBytes) finish({ kind: 'too_large' });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ kind: 'ok', text: Buffer.concat(chunks).toString('utf8') });
    const onAbort = () => finish({ kind: 'aborted' });
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onClose);
  });
}

/** A JSON-RPC error with no request id (the message could not be read or was refused before dispatch). */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}
