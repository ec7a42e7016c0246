import { describe, expect, it } from 'vitest';
import { joinUpstreamPath, splitVersion } from './path.ts';

describe('joinUpstreamPath', () => {
  it('joins a base path, the rest and the query', () => {
    expect(joinUpstreamPath('/base/', '/v1/items', 'a=1')).toBe('/base/v1/items?a=1');
    expect(joinUpstreamPath('/base', '/v1/items', '')).toBe('/base/v1/items');
  });

  it('falls back to the root when both are empty', () => {
    expect(joinUpstreamPath('/', '', '')).toBe('/');
    expect(joinUpstreamPath('/', '', 'q=1')).toBe('/?q=1');
  });
});

describe('splitVersion', () => {
  const versions = { v1: [], v2: [], '2024-01': [] };

  it('routes to a configured version and strips its segment', () => {
    expect(splitVersion('/v2/items/7', versions)).toEqual({ version: 'v2', rest: '/items/7' });
    expect(splitVersion('/v1', versions)).toEqual({ version: 'v1', rest: '' });
    expect(splitVersion('/v1/', versions)).toEqual({ version: 'v1', rest: '/' });
    expect(splitVersion('/2024-01/x', versions)).toEqual({ version: '2024-01', rest: '/x' });
  });

  it('leaves other paths on the default targets, unchanged', () => {
    expect(splitVersion('/v3/items', versions)).toEqual({ version: null, rest: '/v3/items' });
    expect(splitVersion('/items/v2', versions)).toEqual({ version: null, rest: '/items/v2' });
    expect(splitVersion('', versions)).toEqual({ version: null, rest: '' });
    expect(splitVersion('/', versions)).toEqual({ version: null, rest: '/' });
    expect(splitVersion('/V2/items', versions)).toEqual({ version: null, rest: '/V2/items' });
    expect(splitVersion('/v2/items', {})).toEqual({ version: null, rest: '/v2/items' });
    // inherited object keys are not versions
    expect(splitVersion('/constructor/x', versions)).toEqual({ version: null, rest: '/constructor/x' });
  });
});
