/*
 * Server-sent events, both directions, on the streaming hot path. The parser follows the WHATWG
 * event-stream algorithm: lines end in LF, CR or CRLF (a CRLF may be split across network chunks), `:` lines
 * are comments, `data` lines accumulate with LF between them, a blank line dispatches, a block with no data
 * dispatches nothing (one deliberate leniency: see `end`). `[DONE]` is delivered as ordinary data: ending the stream is the protocol's business.
 */

import { ResponseTooLargeError } from './errors.ts';

export interface SseEvent {
  /** the `event:` field; '' when absent (the spec's default "message") */
  event: string;
  data: string;
  /** the last `id:` seen so far; '' when none */
  id: string;
}

export const SSE_DONE_DATA = '[DONE]';

/**
 * The most one stream event may hold while it is being assembled (its unfinished line plus its data so
 * far, counted in UTF-16 units, about bytes). A chat chunk is a few hundred bytes; a provider that never
 * ends a line or an event would otherwise grow the gateway's memory for as long as it keeps sending.
 */
export const MAX_STREAM_EVENT_BYTES = 1024 * 1024;

export class SseParser {
  private pending = '';
  private data = '';
  private hasData = false;
  private eventName = '';
  private lastId = '';
  private endedWithCR = false;
  private readonly decoder = new TextDecoder();

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  /** Feeds raw bytes; multi-byte characters split across chunks are reassembled. */
  pushBytes(bytes: Uint8Array): void {
    this.push(this.decoder.decode(bytes, { stream: true }));
  }

  /** Feeds decoded text. Events complete in it are dispatched before this returns. */
  push(text: string): void {
    if (text.length === 0) return;
    let chunk = text;
    // A CR ending the previous chunk already ended its line; an LF opening this one is its other half.
    if (this.endedWithCR && chunk.charCodeAt(0) === 10) chunk = chunk.slice(1);
    this.endedWithCR = chunk.charCodeAt(chunk.length - 1) === 13;
    if (chunk.indexOf('\r') !== -1) chunk = chunk.replace(CR_LINE_ENDING, '\n');
    const buffer = this.pending.length > 0 ? this.pending + chunk : chunk;
    let start = 0;
    let newline = buffer.indexOf('\n', start);
    while (newline !== -1) {
      this.line(buffer, start, newline);
      start = newline + 1;
      newline = buffer.indexOf('\n', start);
    }
    this.pending = start === 0 ? buffer : buffer.slice(start);
    if (this.pending.length + this.data.length > MAX_STREAM_EVENT_BYTES) {
      this.pending = '';
      this.data = '';
      throw new ResponseTooLargeError(MAX_STREAM_EVENT_BYTES);
    }
  }

  /**
   * End of input. The spec drops an event whose blank line never came; some servers close right after the
   * last `data:` line, and that event may carry the usage, so it is dispatched.
   */
  end(): void {
    const tail = this.decoder.decode();
    if (tail) this.push(tail);
    if (this.pending.length > 0) {
      const line = this.pending;
      this.pending = '';
      this.line(line, 0, line.length);
    }
    this.dispatch();
  }

  private line(buffer: string, start: number, end: number): void {
    if (start === end) {
      this.dispatch();
      return;
    }
    const first = buffer.charCodeAt(start);
    if (first === 58 /* : */) return;
    // `data: ` is by far the most common line; skip the generic field parsing for it.
    if (first === 100 && buffer.startsWith('data:', start)) {
      const valueStart = buffer.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
      this.appendData(buffer.slice(valueStart, end));
      return;
    }
    const colon = buffer.indexOf(':', start);
    let field: string;
    let value: string;
    if (colon === -1 || colon >= end) {
      field = buffer.slice(start, end);
      value = '';
    } else {
      field = buffer.slice(start, colon);
      const valueStart = buffer.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
      value = buffer.slice(valueStart, end);
    }
    switch (field) {
      case 'data':
        this.appendData(value);
        break;
      case 'event':
        this.eventName = value;
        break;
      case 'id':
        if (value.indexOf('\0') === -1) this.lastId = value;
        break;
      default:
        // `retry` and unknown fields do not concern a proxy.
        break;
    }
  }

  private appendData(value: string): void {
    if (this.data.length + value.length > MAX_STREAM_EVENT_BYTES) {
      this.data = '';
      throw new ResponseTooLargeError(MAX_STREAM_EVENT_BYTES);
    }
    if (this.hasData) this.data += `\n${value}`;
    else {
      this.data = value;
      this.hasData = true;
    }
  }

  private dispatch(): void {
    if (!this.hasData) {
      this.eventName = '';
      return;
    }
    const event: SseEvent = { event: this.eventName, data: this.data, id: this.lastId };
    this.data = '';
    this.hasData = false;
    this.eventName = '';
    this.onEvent(event);
  }
}

const CR_LINE_ENDING = /\r\n?/g;

/** Collects every event of a complete stream body (tests, small bodies). */
export function parseSseText(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  parser.push(text);
  parser.end();
  return events;
}

/** `data: …` frame for one JSON payload (JSON.stringify never emits raw newlines). */
export const sseData = (json: string): string => `data: ${json}\n\n`;

/** Named event frame, as Anthropic streams them. */
export const sseNamedEvent = (event: string, json: string): string => `event: ${event}\ndata: ${json}\n\n`;

export const SSE_DONE_FRAME = 'data: [DONE]\n\n';

/** General writer: any data (multi-line data becomes several `data:` lines), optional event name and id. */
export function formatSseEvent(event: { data: string; event?: string; id?: string }): string {
  let out = '';
  if (event.event) out += `event: ${event.event}\n`;
  if (event.id !== undefined) out += `id: ${event.id}\n`;
  const data = event.data;
  if (data.indexOf('\n') === -1 && data.indexOf('\r') === -1) return `${out}data: ${data}\n\n`;
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line: keeps idle connections (and intermediaries' timers) alive without an event. */
export const sseComment = (text = ''): string => `: ${text}\n\n`;
