import { scopeAllows } from '@portcullis/services/verbs/api-tokens';
import { describe, expect, it } from 'vitest';
import { MANAGEMENT_ENDPOINTS, routerOf } from './table';

describe('management routes', () => {
  const route = routerOf(MANAGEMENT_ENDPOINTS);

  it('matches templates, literal segments first, and decodes parameters', () => {
    expect(route('GET', '/subscriptions/pending')).toMatchObject({
      kind: 'found',
      endpoint: { id: 'subscriptions.pending' },
    });
    expect(route('POST', '/subscriptions/s%201/approve')).toMatchObject({
      kind: 'found',
      endpoint: { id: 'subscriptions.approve' },
      params: { subscriptionId: 's 1' },
    });
  });

  it('tells a wrong method (with the allowed ones) from an unknown path', () => {
    expect(route('DELETE', '/apis')).toEqual({ kind: 'wrongMethod', allow: ['GET', 'POST'] });
    expect(route('GET', '/apis/a/b/c')).toEqual({ kind: 'none' });
    expect(route('GET', '/apis/%E0%A4%A')).toEqual({ kind: 'none' });
  });

  it('gives every path parameter a params schema key', () => {
    for (const endpoint of MANAGEMENT_ENDPOINTS) {
      const names = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(Object.keys(endpoint.params?.shape ?? {}).sort(), endpoint.id).toEqual(names.sort());
    }
  });
});

describe('scopes', () => {
  it('lets write imply read in the same area only', () => {
    expect(scopeAllows(['apis:write'], 'apis:read')).toBe(true);
    expect(scopeAllows(['apis:read'], 'apis:write')).toBe(false);
    expect(scopeAllows(['plans:write'], 'apis:read')).toBe(false);
  });
});
