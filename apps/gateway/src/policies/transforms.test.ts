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
  it('detects the empty (default) transform', () => {
    expect(isEmptyTransform(transform({}))).toBe(true);
    expect(isEmptyTransform(transform({ remove: ['x'] }))).toBe(false);
  });
});
