import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_ANSWER_BYTES, readCapped, responseTooLarge } from './upstream.ts';

function body(parts: string[]): Readable {
  return Readable.from(parts.map((part) => Buffer.from(part)));
}

describe('readCapped', () => {
  it('reads a body within the limit whole', async () => {
    await expect(readCapped({ body: body(['{"a":', '1}']) }, 64)).resolves.toEqual({
      text: '{"a":1}',
      overflowed: false,
    });
  });

  it('stops at the limit and destroys the body when it runs past it unannounced', async () => {
    const source = body(['0123456789', 'abcdefghij', 'never read']);
    const read = await readCapped({ body: source }, 15);
    expect(read).toEqual({ text: '0123456789abcde', overflowed: true });
    expect(source.destroyed).toBe(true);
  });

  it('refuses a declared Content-Length above the limit without reading a byte', async () => {
    let pulled = 0;
    const source = new Readable({
      read() {
        pulled++;
        this.push(Buffer.from('x'));
      },
    });
    const read = await readCapped({ body: source, headers: { 'content-length': '1000' } }, 100);
    expect(read).toEqual({ text: '', overflowed: true });
    expect(source.destroyed).toBe(true);
    expect(pulled).toBe(0);
  });

  it('keeps a multi-byte character split across chunks intact', async () => {
    const euro = Buffer.from('€');
    const source = Readable.from([euro.subarray(0, 1), euro.subarray(1)]);
    await expect(readCapped({ body: source }, 16)).resolves.toEqual({ text: '€', overflowed: false });
  });
});

describe('responseTooLarge', () => {
  it('is a retryable 502 naming the bound', () => {
    const error = responseTooLarge('openai', MAX_ANSWER_BYTES);
    expect(error).toMatchObject({ kind: 'invalid_response', status: 502, retryable: true });
    expect(error.body.error).toMatchObject({ code: 'upstream_response_too_large', type: 'server_error' });
    expect(error.body.error.message).toContain('64 MiB');
  });
});
