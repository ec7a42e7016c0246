import { describe, expect, it } from 'vitest';
import { curlExample, emptyChoice, grantableTokenRoles, scopesOf } from './scopes';

describe('token form helpers', () => {
  it('turns the per-area choice into scopes, leaving out areas without access', () => {
    expect(scopesOf(emptyChoice())).toEqual([]);
    expect(scopesOf({ ...emptyChoice(), apis: 'write', logs: 'read' })).toEqual(['apis:write', 'logs:read']);
  });

  it('offers roles up to the creator’s only', () => {
    expect(grantableTokenRoles('ADMIN')).toEqual(['VIEWER', 'DEVELOPER', 'ADMIN']);
    expect(grantableTokenRoles('VIEWER')).toEqual(['VIEWER']);
  });

  it('shows a first call with the token as a bearer', () => {
    expect(curlExample('https://portal.test', 'pcm_x')).toBe(
      'curl -H "Authorization: Bearer pcm_x" https://portal.test/api/v1/apis',
    );
  });
});
