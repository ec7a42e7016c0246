import { describe, expect, it } from 'vitest';
import { grantableRoles, mayManageMember, whyNotManageable } from './roles';

describe('member controls by role', () => {
  it('lets owners manage everyone but themselves', () => {
    expect(mayManageMember('OWNER', 'OWNER', false)).toBe(true);
    expect(mayManageMember('OWNER', 'VIEWER', true)).toBe(false);
    expect(whyNotManageable('OWNER', 'OWNER', true)).toBe('You cannot change your own role');
  });

  it('lets admins manage everyone but owners, with the reason', () => {
    expect(mayManageMember('ADMIN', 'DEVELOPER', false)).toBe(true);
    expect(whyNotManageable('ADMIN', 'OWNER', false)).toBe('Only owners manage owners');
    expect(grantableRoles('ADMIN')).toEqual(['ADMIN', 'DEVELOPER', 'VIEWER']);
  });

  it('gives developers and viewers no controls', () => {
    expect(whyNotManageable('DEVELOPER', 'VIEWER', false)).toBe('Only owners and admins manage members');
    expect(mayManageMember('VIEWER', 'VIEWER', false)).toBe(false);
  });
});
