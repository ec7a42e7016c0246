import { describe, expect, it } from 'vitest';
import { activeContentTypeReason, responseTransformRefusals, ZHeaderTransform } from './policies.ts';

describe('activeContentTypeReason', () => {
  it.each([
    'text/html',
    'TEXT/HTML; charset=utf-8',
    'application/xhtml+xml',
    'image/svg+xml',
    'text/xml',
    'application/xml',
    'application/rss+xml',
    'text/javascript',
    'application/javascript',
    'application/x-javascript',
    'application/ecmascript',
    'multipart/x-mixed-replace; boundary=x',
    'html',
    '',
  ])('refuses %j', (value) => {
    expect(activeContentTypeReason(value)).toEqual(expect.any(String));
  });

  it.each([
    'application/json',
    'text/plain; charset=utf-8',
    'application/problem+json',
    'image/png',
    'text/csv',
  ])('accepts %j', (value) => {
    expect(activeContentTypeReason(value)).toBeNull();
  });
});

describe('responseTransformRefusals', () => {
  it('names the refused header per field', () => {
    const fields = responseTransformRefusals(
      ZHeaderTransform.parse({
        add: { 'Set-Cookie': 'a=1', 'x-ok': '1' },
        rename: { 'x-type': 'content-type' },
      }),
    );
    expect(fields['responseHeaders.add']).toMatch(/^Set-Cookie cannot be set/);
    expect(fields['responseHeaders.rename']).toMatch(/^Content-Type cannot be renamed into/);
    expect(
      responseTransformRefusals(ZHeaderTransform.parse({ add: { 'content-type': 'text/html' } }))[
        'responseHeaders.add'
      ],
    ).toMatch(/^Content-Type cannot be "text\/html": it is active content/);
    expect(
      responseTransformRefusals(
        ZHeaderTransform.parse({ add: { 'content-type': 'application/json', 'cache-control': 'no-store' } }),
      ),
    ).toEqual({});
  });
});
