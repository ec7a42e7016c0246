import { describe, expect, it } from 'vitest';
import { ResponseTooLargeError } from './errors.ts';
import {
  formatSseEvent,
  MAX_STREAM_EVENT_BYTES,
  parseSseText,
  SSE_DONE_FRAME,
  type SseEvent,
  SseParser,
  sseComment,
  sseData,
  sseNamedEvent,
} from './sse.ts';

const STREAM = [
  ': keep-alive comment\n',
  'event: message_start\n',
  'id: 1\n',
  'data: {"type":"message_start"}\n',
  '\n',
  'data: line one\r\n',
  'data: line two\r\n',
  '\r\n',
  'event: ping\r',
  'data: {}\r',
  '\r',
  'data:no-space\n',
  'data:  two spaces\n',
  '\n',
  'event: lonely\n',
  '\n',
  'data\n',
  '\n',
  'data: [DONE]\n',
  '\n',
].join('');

const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"type":"message_start"}', id: '1' },
  { event: '', data: 'line one\nline two', id: '1' },
  { event: 'ping', data: '{}', id: '1' },
  { event: '', data: 'no-space\n two spaces', id: '1' },
  { event: '', data: '', id: '1' },
  { event: '', data: '[DONE]', id: '1' },
];

function collect(pieces: readonly string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  for (const piece of pieces) parser.push(piece);
  parser.end();
  return events;
}

describe('SseParser', () => {
  it('parses comments, names, ids, multi-line data, CR/LF/CRLF endings and [DONE]', () => {
    expect(parseSseText(STREAM)).toEqual(EXPECTED);
  });

  it('gives the same events wherever the text is split in two', () => {
    for (let split = 0; split <= STREAM.length; split++) {
      expect(collect([STREAM.slice(0, split), STREAM.slice(split)]), `split at ${split}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events fed one character at a time', () => {
    expect(collect([...STREAM])).toEqual(EXPECTED);
  });

  it('treats a CRLF split across chunks as one line ending, not two', () => {
    expect(collect(['data: a\r', '\n\r', '\ndata: b\r', '\n\r\n'])).toEqual([
      { event: '', data: 'a', id: '' },
      { event: '', data: 'b', id: '' },
    ]);
    // CR then CR LF: a line end followed by a blank line (one event, not two)
    expect(collect(['data: a\r', '\r\n'])).toEqual([{ event: '', data: 'a', id: '' }]);
  });

  it('reassembles multi-byte characters split across network chunks', () => {
    const text = 'data: {"text":"héllo wörld 😀 — ok"}\n\n';
    const bytes = new TextEncoder().encode(text);
    for (let split = 0; split <= bytes.length; split++) {
      const events: SseEvent[] = [];
      const parser = new SseParser((event) => events.push(event));
      parser.pushBytes(bytes.subarray(0, split));
      parser.pushBytes(bytes.subarray(split));
      parser.end();
      expect(events, `split at byte ${split}`).toEqual([
        { event: '', data: '{"text":"héllo wörld 😀 — ok"}', id: '' },
      ]);
    }
  });

  it('dispatches a last event whose blank line never came, and nothing for an empty tail', () => {
    expect(collect(['data: {"usage":1}'])).toEqual([{ event: '', data: '{"usage":1}', id: '' }]);
    expect(collect(['data: a\n\n', ': bye'])).toEqual([{ event: '', data: 'a', id: '' }]);
  });

  it('ignores unknown fields and retry, and keeps the id across events', () => {
    expect(parseSseText('retry: 1000\nfoo: bar\nid: 7\ndata: x\n\ndata: y\n\n')).toEqual([
      { event: '', data: 'x', id: '7' },
      { event: '', data: 'y', id: '7' },
    ]);
  });
});

describe('SSE writer', () => {
  it('frames JSON data and named events so the parser reads them back', () => {
    const text =
      sseData('{"a":1}') + sseNamedEvent('message_stop', '{"type":"message_stop"}') + SSE_DONE_FRAME;
    expect(text).toBe(
      'data: {"a":1}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\ndata: [DONE]\n\n',
    );
    expect(parseSseText(text)).toEqual([
      { event: '', data: '{"a":1}', id: '' },
      { event: 'message_stop', data: '{"type":"message_stop"}', id: '' },
      { event: '', data: '[DONE]', id: '' },
    ]);
  });

  it('splits multi-line data into several data lines that round-trip', () => {
    const frame = formatSseEvent({ event: 'note', id: '3', data: 'one\ntwo\r\nthree' });
    expect(frame).toBe('event: note\nid: 3\ndata: one\ndata: two\ndata: three\n\n');
    expect(parseSseText(frame)).toEqual([{ event: 'note', data: 'one\ntwo\nthree', id: '3' }]);
  });

  it('writes comments that parse to nothing', () => {
    expect(parseSseText(sseComment('ping') + sseData('1'))).toEqual([{ event: '', data: '1', id: '' }]);
  });

  describe('the bound on one event', () => {
    const chunk = 'x'.repeat(64 * 1024);

    it('fails a line that never ends once it passes the bound', () => {
      const parser = new SseParser(() => undefined);
      parser.push('data: ');
      expect(() => {
        for (let sent = 0; sent <= MAX_STREAM_EVENT_BYTES; sent += chunk.length) parser.push(chunk);
      }).toThrow(ResponseTooLargeError);
    });

    it('fails an event whose data lines never reach a blank line', () => {
      const growing = new SseParser(() => undefined);
      expect(() => {
        for (let sent = 0; sent <= MAX_STREAM_EVENT_BYTES; sent += chunk.length)
          growing.push(`data: ${chunk}\n`);
      }).toThrow(ResponseTooLargeError);
    });

    it('lets any number of events through when each stays under the bound', () => {
      let seen = 0;
      const parser = new SseParser(() => seen++);
      for (let i = 0; i < 40; i++) parser.push(`data: ${chunk}\n\n`);
      parser.end();
      expect(seen).toBe(40);
    });
  });
});
