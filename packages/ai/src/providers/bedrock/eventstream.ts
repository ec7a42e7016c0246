import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { ResponseTooLargeError } from '../../errors.ts';
import { MAX_STREAM_EVENT_BYTES, type SseEvent } from '../../sse.ts';
import type { StreamDecoder } from '../types.ts';

/*
 * application/vnd.amazon.eventstream → one event per message. Each message is framed by its total length
 * (prelude: total length, headers length, prelude CRC32; then headers, payload, message CRC32); the codec
 * checks both checksums and parses the headers, this class only cuts the byte stream into messages.
 *
 * Events come out as `{ event: <:event-type>, data: <payload> }`; modelled exceptions
 * (`:message-type: exception`) and service errors (`:message-type: error`) both as `event: "exception"`
 * whose data is `{"__type": <exception type or error code>, "message": …}`.
 */

/**
 * AWS's format allows 16 MiB of payload per message, but a ConverseStream event is a delta of a few
 * hundred bytes: a message is held to the same bound as one SSE event (headers on top), refused from its
 * prelude before its bytes are buffered.
 */
const MAX_MESSAGE_BYTES = MAX_STREAM_EVENT_BYTES + 128 * 1024 + 16;
const PRELUDE_BYTES = 12;
const EMPTY = new Uint8Array(0);

const headerText = (headers: Record<string, { type: string; value: unknown }>, name: string) => {
  const header = headers[name];
  return header && typeof header.value === 'string' ? header.value : undefined;
};

export class EventStreamDecoder implements StreamDecoder {
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8);
  private buffer: Uint8Array = EMPTY;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  pushBytes(bytes: Uint8Array): void {
    this.buffer = this.buffer.length === 0 ? bytes : concat(this.buffer, bytes);
    let offset = 0;
    while (this.buffer.length - offset >= PRELUDE_BYTES) {
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + offset, 4);
      const total = view.getUint32(0, false);
      if (total < 16) throw new Error(`event stream message length ${total} is out of range`);
      if (total > MAX_MESSAGE_BYTES) {
        this.buffer = EMPTY;
        throw new ResponseTooLargeError(MAX_STREAM_EVENT_BYTES);
      }
      if (this.buffer.length - offset < total) break;
      this.dispatch(this.buffer.subarray(offset, offset + total));
      offset += total;
    }
    // Keep only the incomplete tail, copied so the network chunk it came in can be released.
    this.buffer = offset === 0 ? this.buffer : this.buffer.slice(offset);
  }

  end(): void {
    if (this.buffer.length > 0) {
      const left = this.buffer.length;
      this.buffer = EMPTY;
      throw new Error(`the event stream ended inside a message (${left} bytes left over)`);
    }
  }

  private dispatch(frame: Uint8Array): void {
    const message = this.codec.decode(frame);
    const headers = message.headers as Record<string, { type: string; value: unknown }>;
    const kind = headerText(headers, ':message-type');
    const payload = toUtf8(message.body);
    if (kind === 'event') {
      this.onEvent({ event: headerText(headers, ':event-type') ?? '', data: payload, id: '' });
    } else if (kind === 'exception') {
      let text: string | undefined;
      try {
        const json = JSON.parse(payload) as { message?: unknown; Message?: unknown };
        const value = json.message ?? json.Message;
        text = typeof value === 'string' ? value : undefined;
      } catch {
        text = payload.slice(0, 500) || undefined;
      }
      this.exception(headerText(headers, ':exception-type') ?? 'UnknownException', text);
    } else if (kind === 'error') {
      this.exception(
        headerText(headers, ':error-code') ?? 'UnknownError',
        headerText(headers, ':error-message'),
      );
    }
    // Other message types are not defined; skipping them keeps a future one from breaking streams.
  }

  private exception(type: string, message: string | undefined): void {
    this.onEvent({ event: 'exception', data: JSON.stringify({ __type: type, message }), id: '' });
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
