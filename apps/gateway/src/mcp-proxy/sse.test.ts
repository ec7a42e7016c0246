import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { MAX_SSE_EVENT_BYTES, rewriteSseData, SseEventTooLargeError } from './sse.ts';

const run = (chunks: string[], rewrite: (data: string) => string | null) =>
  text(Readable.from(chunks.map((chunk) => Buffer.from(chunk))).pipe(rewriteSseData(rewrite)));

describe('rewriteSseData', () => {
  it('passes events through unchanged when the rewrite returns null', async () => {
    const stream = ': keepalive\n\nid: 1\nevent: message\ndata: {"a":1}\n\n';
    expect(await run([stream], () => null)).toBe(stream);
  });

  it('rewrites the data of an event split across chunks, keeping its other fields', async () => {
    const out = await run(['id: 7\nevent: mess', 'age\ndata: {"a"', ':1}\r', '\n\r\n'], (data) =>
      data === '{"a":1}' ? '{"a":2}' : null,
    );
    expect(out).toBe('id: 7\nevent: message\ndata: {"a":2}\n\n');
  });

  it('joins multi-line data and handles CR line breaks', async () => {
    const seen: string[] = [];
    await run(['data: one\rdata: two\r\rdata:three\n\n'], (data) => {
      seen.push(data);
      return null;
    });
    expect(seen).toEqual(['one\ntwo', 'three']);
  });

  it('drops an event the stream ends without finishing', async () => {
    expect(await run(['data: whole\n\ndata: half'], () => null)).toBe('data: whole\n\n');
  });

  it('breaks off on an event larger than the bound', async () => {
    const big = `data: ${'x'.repeat(MAX_SSE_EVENT_BYTES + 1)}`;
    await expect(run([big], () => null)).rejects.toBeInstanceOf(SseEventTooLargeError);
  });
});
