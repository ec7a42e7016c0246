import { Transform, type TransformCallback } from 'node:stream';

/** One event larger than this breaks the stream off: it would otherwise be held whole in memory. */
export const MAX_SSE_EVENT_BYTES = 8 * 1024 * 1024;

export class SseEventTooLargeError extends Error {
  constructor() {
    super(`an event of the upstream's event stream exceeds ${MAX_SSE_EVENT_BYTES} bytes`);
    this.name = 'SseEventTooLargeError';
  }
}

/**
 * Rewrites the `data` of server-sent events on the way through (text/event-stream, WHATWG HTML §9.2):
 * `rewrite` gets each event's data (its data lines joined by \n) and returns new data, or null to send
 * the event exactly as it came. Comments, ids, event names and retry fields pass untouched, and each
 * event leaves as soon as its blank line arrives, so streaming and keep-alives are not held back.
 */
export function rewriteSseData(rewrite: (data: string) => string | null): Transform {
  let pending = ''; // text not yet ending in a line break
  let eventLines: string[] = [];
  let eventBytes = 0;
  const decoder = new TextDecoder('utf-8');

  const flushEvent = (push: (text: string) => void) => {
    const lines = eventLines;
    eventLines = [];
    eventBytes = 0;
    const dataLines = lines.filter((line) => line === 'data' || line.startsWith('data:'));
    const data = dataLines.map((line) => line.slice(line.startsWith('data: ') ? 6 : 5)).join('\n');
    const replaced = dataLines.length > 0 ? rewrite(data) : null;
    if (replaced === null) return push(`${lines.join('\n')}\n\n`);
    const kept = lines.filter((line) => !(line === 'data' || line.startsWith('data:')));
    const newData = replaced.split('\n').map((line) => `data: ${line}`);
    push(`${[...kept, ...newData].join('\n')}\n\n`);
  };

  const lineBreak = /\r\n|\r(?!$)|\n/g;
  const consume = (text: string, push: (text: string) => void): Error | null => {
    // Only the new text is searched for line breaks (from one character back: a held \r).
    lineBreak.lastIndex = Math.max(0, pending.length - 1);
    pending += text;
    let start = 0;
    for (let match = lineBreak.exec(pending); match; match = lineBreak.exec(pending)) {
      const line = pending.slice(start, match.index);
      start = match.index + match[0].length;
      if (line === '') {
        if (eventLines.length > 0) flushEvent(push);
        continue;
      }
      eventLines.push(line);
      eventBytes += line.length;
      if (eventBytes > MAX_SSE_EVENT_BYTES) return new SseEventTooLargeError();
    }
    pending = pending.slice(start);
    // \r, \r\n and \n all end a line; a trailing \r may be the first half of \r\n, so it waits.
    if (pending.length + eventBytes > MAX_SSE_EVENT_BYTES) return new SseEventTooLargeError();
    return null;
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const out: string[] = [];
      const error = consume(decoder.decode(chunk, { stream: true }), (text) => out.push(text));
      if (error) return done(error);
      done(null, out.length > 0 ? out.join('') : undefined);
    },
    flush(done: TransformCallback) {
      const out: string[] = [];
      const error = consume(`${decoder.decode()}\n`, (text) => out.push(text));
      if (error) return done(error);
      // An event the stream ended without closing is incomplete: a reader would discard it, so it goes.
      done(null, out.length > 0 ? out.join('') : undefined);
    },
  });
}
