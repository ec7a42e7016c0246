import { ZHeaderTransform } from '@portcullis/core/policies';
import { describe, expect, it } from 'vitest';
import { applyHeaderTransform, isEmptyTransform, recordAccess } from './transforms.ts';

const transform = (over: Record<string, unknown>) => ZHeaderTransform.parse(over);

describe('applyHeaderTransform', () => {
  it('renames, removes, then adds (overwriting)', () => {
    const headers: Record<string, string> = { 'x-old': '1', 'x-drop': 'd', 'x-set': 'client' };
    applyHeaderTransform(
      recordAccess(headers),
      transform({ rename: { 'X-Old': 'x-new' }, remove: ['x-drop'], add: { 'x-set': 'gw', 'x-extra': 'e' } }),
      'request',
    );
    expect(headers).toEqual({ 'x-new': '1', 'x-set': 'gw', 'x-extra': 'e' });
  });
  it('never moves the consumer key or touches framing headers', () => {
    const headers: Record<string, string> = { authorization: 'Bearer pk', 'content-length': '3', host: 'h' };
    applyHeaderTransform(
      recordAccess(headers),
      transform({
        rename: { authorization: 'x-leak' },
        remove: ['content-length', 'host'],
        add: { 'content-length': '99' },
      }),
      'request',
    );
    expect(headers).toEqual({ authorization: 'Bearer pk', 'content-length': '3', host: 'h' });
  });
  it('applies to responses, protecting content-length and the request id', () => {
    const headers: Record<string, string> = { server: 'nginx', 'x-request-id': 'r', 'content-length': '2' };
    applyHeaderTransform(
      recordAccess(headers),
      transform({ remove: ['server', 'x-request-id'], add: { 'x-powered-by': 'portcullis' } }),
      'response',
    );
    expect(headers).toEqual({ 'x-request-id': 'r', 'content-length': '2', 'x-powered-by': 'portcullis' });
  });
  it('never sets cookies, origin-wide headers or active content types on responses (documents saved before the rule)', () => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-upstream-cookie': 'a=1',
    };
    applyHeaderTransform(
      recordAccess(headers),
      transform({
        rename: { 'x-upstream-cookie': 'set-cookie' },
        add: {
          'set-cookie': 'session=evil; Path=/',
          'Clear-Site-Data': '"cookies"',
          'content-type': 'text/html; charset=utf-8',
          'x-kept': 'yes',
        },
      }),
      'response',
    );
    expect(headers).toEqual({
      'content-type': 'application/json',
      'x-upstream-cookie': 'a=1',
      'x-kept': 'yes',
    });
    // a passive type is still set, and requests are not concerned
    const plain: Record<string, string> = {};
    applyHeaderTransform(
      recordAccess(plain),
      transform({ add: { 'content-type': 'text/plain' } }),
      'response',
    );
    expect(plain).toEqual({ 'content-type': 'text/plain' });
    const upstreamBound: Record<string, string> = {};
    applyHeaderTransform(
      recordAccess(upstreamBound),
      transform({ add: { 'content-type': 'text/html' } }),
      'request',
    );
    expect(upstreamBound).toEqual({ 'content-type': 'text/html' });
  });
  it('detects the empty (default) transform', () => {
    expect(isEmptyTransform(transform({}))).toBe(true);
    expect(isEmptyTransform(transform({ remove: ['x'] }))).toBe(false);
  });
});
