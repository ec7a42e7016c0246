import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { parseApiPolicies } from '@portcullis/core/policies';
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, bufferBody, checkRequestHead, limitBody } from './size-limits.ts';

const fakeRequest = () =>
  Object.assign(new PassThrough(), { method: 'POST', headers: {} }) as unknown as IncomingMessage;

describe('checkRequestHead', () => {
  const policies = parseApiPolicies({
    allowedMethods: ['GET', 'POST'],
    maxHeaderCount: 3,
    maxHeaderBytes: 256,
    maxBodyBytes: 10,
  });
  it('passes the defaults and an allowed request', () => {
    expect(checkRequestHead(parseApiPolicies({}), 'PATCH', ['a', 'b'], '100').ok).toBe(true);
    expect(checkRequestHead(policies, 'GET', ['host', 'x'], '10').ok).toBe(true);
  });
  it('refuses a method with 405 and an Allow header', () => {
    expect(checkRequestHead(policies, 'DELETE', [], undefined)).toMatchObject({
      ok: false,
      error: { code: 'method_not_allowed', headers: { allow: 'GET, POST' } },
    });
  });
  it('refuses too many or too large headers', () => {
    const many = ['a', '1', 'b', '2', 'c', '3', 'd', '4'];
    expect(checkRequestHead(policies, 'GET', many, undefined)).toMatchObject({
      error: { code: 'headers_too_large' },
    });
    const big = ['x-big', 'v'.repeat(300)];
    expect(checkRequestHead(policies, 'GET', big, undefined)).toMatchObject({
      error: { code: 'headers_too_large' },
    });
  });
  it('refuses a declared body over the limit', () => {
    expect(checkRequestHead(policies, 'POST', [], '11')).toMatchObject({
      error: { code: 'payload_too_large' },
    });
  });
});

describe('limitBody', () => {
  it('passes a body within the limit through unchanged', async () => {
    const req = fakeRequest();
    const { body, exceeded } = limitBody(req, 10);
    (req as unknown as PassThrough).end(Buffer.from('0123456789'));
    expect((await buffer(body)).toString()).toBe('0123456789');
    expect(exceeded()).toBe(false);
    expect(body.method).toBe('POST');
  });
  it('fails the stream once over the limit', async () => {
    const req = fakeRequest();
    const { body, exceeded } = limitBody(req, 10);
    (req as unknown as PassThrough).write(Buffer.from('012345'));
    (req as unknown as PassThrough).write(Buffer.from('6789ab'));
    await expect(buffer(body)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(exceeded()).toBe(true);
  });
});

describe('bufferBody', () => {
  it('reads within the limit and refuses beyond it', async () => {
    const small = fakeRequest();
    (small as unknown as PassThrough).end('{"a":1}');
    expect(await bufferBody(small, 10)).toMatchObject({ ok: true });
    const large = fakeRequest();
    (large as unknown as PassThrough).end('x'.repeat(11));
    expect(await bufferBody(large, 10)).toEqual({ ok: false, error: 'too_large' });
  });
  it('counts every chunk, stops reading past the limit without destroying the request', async () => {
    const req = fakeRequest();
    const seen: number[] = [];
    const reading = bufferBody(req, 10, (n) => seen.push(n));
    (req as unknown as PassThrough).write('x'.repeat(8));
    (req as unknown as PassThrough).write('y'.repeat(8));
    expect(await reading).toEqual({ ok: false, error: 'too_large' });
    expect(seen).toEqual([8, 8]);
    expect(req.destroyed).toBe(false);
    expect(req.isPaused()).toBe(true);
  });
  it('reports a body that breaks off', async () => {
    const req = fakeRequest();
    const reading = bufferBody(req, 10);
    (req as unknown as PassThrough).write('{"a":');
    (req as unknown as PassThrough).destroy(new Error('aborted'));
    expect(await reading).toEqual({ ok: false, error: 'broken' });
  });
});
