import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

export interface RelayRequest {
  method: Dispatcher.HttpMethod;
  path: string;
  headers: Record<string, string | string[]>;
  body: Readable | null;
  headersTimeout: number;
  bodyTimeout: number;
}

/**
 * How a relayed body ended: all of it reached the client; the client hung up first; or the upstream
 * broke off or idled mid-body (the gateway then cut the client's response).
 */
export type RelayEnding = 'complete' | 'client_gone' | 'upstream_broke';

/** One attempt, as far as the caller's retry loop cares: it failed before any byte reached the client, or it did not. */
export type AttemptOutcome =
  | { responded: false; error: unknown; clientGone: boolean }
  /** The head was sent; `finished` settles once the body has been relayed, or the relay broke off. */
  | { responded: true; status: number; finished: Promise<RelayEnding> };

export interface RelayHooks {
  /** Maps the upstream's headers to the head sent to the client (called once, before writeHead). */
  head(status: number, headers: IncomingHttpHeaders): OutgoingHttpHeaders;
  /** Counts response body bytes as they pass. */
  onBytes(length: number): void;
}

class ClientGoneError extends Error {
  override name = 'AbortError';
  readonly code = 'UND_ERR_ABORTED';
}

/**
 * Streams one upstream request's response straight into `res` through undici's dispatch handler API:
 * no Readable for the body, no AbortController and no stream pipeline per request (each of which showed
 * up in the gateway's CPU profile), with backpressure by pausing the upstream when `res` is full.
 */
export function relayAttempt(
  dispatcher: Dispatcher,
  request: RelayRequest,
  res: ServerResponse,
  hooks: RelayHooks,
): Promise<AttemptOutcome> {
  return new Promise<AttemptOutcome>((resolve) => {
    let controller: Dispatcher.DispatchController | null = null;
    let clientGone = false;
    let responded = false;
    let settleFinished: (ending: RelayEnding) => void = () => undefined;
    let held: Buffer | null = null;
    let declaredLength: number | null = null;
    let relayed = 0;

    const onClose = () => {
      if (res.writableFinished) return;
      clientGone = true;
      controller?.abort(new ClientGoneError('The client closed the connection.'));
    };
    const onDrain = () => controller?.resume();
    const cleanUp = () => {
      res.off('close', onClose);
      res.off('drain', onDrain);
    };
    res.once('close', onClose);

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (clientGone) started.abort(new ClientGoneError('The client closed the connection.'));
      },
      onResponseStart(_controller, statusCode, headers) {
        responded = true;
        const length = Number(headers['content-length']);
        declaredLength = Number.isSafeInteger(length) && length >= 0 ? length : null;
        res.writeHead(statusCode, hooks.head(statusCode, headers));
        resolve({
          responded: true,
          status: statusCode,
          finished: new Promise<RelayEnding>((done) => {
            settleFinished = done;
          }),
        });
      },
      onResponseData(active, chunk) {
        hooks.onBytes(chunk.length);
        relayed += chunk.length;
        // The chunk that completes a declared Content-Length is held back and sent with end(): until
        // then the client has not got the whole response, which lets the gateway make the usage record
        // durable before a request can count as answered (usage/durable-end.ts). Chunked bodies need
        // no hold-back: their terminating chunk is only written by end().
        if (declaredLength !== null && relayed >= declaredLength) {
          held = held ? Buffer.concat([held, chunk]) : chunk;
          return;
        }
        if (!res.write(chunk)) {
          active.pause();
          res.once('drain', onDrain);
        }
      },
      onResponseEnd() {
        cleanUp();
        const last = held;
        held = null;
        if (last) res.end(last);
        else res.end();
        settleFinished('complete');
      },
      onResponseError(_controller, error) {
        cleanUp();
        if (!responded) {
          resolve({ responded: false, error, clientGone });
          return;
        }
        // The upstream broke or idled mid-body, or the client left: nothing useful can be sent any more.
        res.destroy();
        settleFinished(clientGone ? 'client_gone' : 'upstream_broke');
      },
    };

    try {
      dispatcher.dispatch(
        {
          method: request.method,
          path: request.path,
          headers: request.headers,
          body: request.body,
          headersTimeout: request.headersTimeout,
          bodyTimeout: request.bodyTimeout,
        },
        handler,
      );
    } catch (error) {
      cleanUp();
      resolve({ responded: false, error, clientGone });
    }
  });
}
