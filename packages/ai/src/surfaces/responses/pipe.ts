import type { ServerResponse } from 'node:http';
import { drained, SSE_HEADERS } from '../../respond.ts';
import type { StreamFinal, UnifiedStream } from '../../stream-call.ts';
import type { ResponseObject } from './response.ts';
import { ResponsesStreamEncoder } from './stream.ts';

/**
 * Streams a unified stream as Responses events (the /v1/responses surface). `beforeComplete` runs with
 * the finished Response before its terminal event is written and returns it as the client gets it (the
 * gateway stores it there, so the id is usable as soon as the client has seen the response complete); a client gone mid-stream cancels the
 * provider stream, and nothing terminal is written or stored. Returns the stream's final state for metering.
 */
export async function pipeResponsesStream(
  res: ServerResponse,
  stream: UnifiedStream,
  response: ResponseObject,
  headers: Record<string, string>,
  beforeComplete: (response: ResponseObject) => Promise<ResponseObject>,
): Promise<{ final: StreamFinal; response: ResponseObject | null }> {
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  const onClose = () => {
    if (!res.writableFinished) stream.cancel();
  };
  res.once('close', onClose);
  let blocked = false;
  const encoder = new ResponsesStreamEncoder(response, (frame) => {
    if (!res.destroyed && !res.write(frame)) blocked = true;
  });
  encoder.start();
  try {
    for await (const chunk of stream.chunks) {
      // A client gone before the stream opened never fires 'close' again: leaving the loop cancels it.
      if (res.destroyed) break;
      encoder.push(chunk);
      if (blocked) {
        blocked = false;
        if (!(await drained(res))) break;
      }
    }
    const final = await stream.final;
    if (res.destroyed || final.error?.kind === 'aborted') {
      if (!res.destroyed) res.end();
      return { final, response: null };
    }
    let finished = encoder.finish(final.usage, final.error);
    if (finished.status !== 'failed') finished = await beforeComplete(finished);
    if (!res.destroyed) {
      encoder.complete(finished);
      res.end();
    }
    return { final, response: finished };
  } finally {
    res.off('close', onClose);
  }
}
