import type { Role } from '@portcullis/db';
import { describe, expect, it } from 'vitest';
import { generateSecretToken, hashSecretToken, memberRuleViolation, ROLES } from './members.ts';

const codeOf = (change: Parameters<typeof memberRuleViolation>[0]) =>
  memberRuleViolation(change)?.code ?? null;

describe('memberRuleViolation', () => {
  it('only an owner grants OWNER by invitation or revokes an OWNER invitation', () => {
    for (const actorRole of ROLES) {
      for (const newRole of ROLES) {
        const expected = newRole === 'OWNER' && actorRole !== 'OWNER' ? 'FORBIDDEN' : null;
        expect(codeOf({ kind: 'invite', actorRole, newRole }), `${actorRole} invites ${newRole}`).toBe(
          expected,
        );
        expect(codeOf({ kind: 'revokeInvitation', actorRole, invitedRole: newRole })).toBe(expected);
      }
    }
  });

  it('role changes: nobody changes their own role; OWNER is granted and changed by owners only', () => {
    const admin: Role = 'ADMIN';
    for (const targetRole of ROLES) {
      for (const newRole of ROLES) {
        const touchesOwner = targetRole === 'OWNER' || newRole === 'OWNER';
        expect(
          codeOf({ kind: 'changeRole', actorRole: admin, targetRole, newRole, self: false, owners: 2 }),
          `ADMIN: ${targetRole} → ${newRole}`,
        ).toBe(touchesOwner ? 'FORBIDDEN' : null);
        expect(
          codeOf({ kind: 'changeRole', actorRole: 'OWNER', targetRole, newRole, self: false, owners: 2 }),
          `OWNER: ${targetRole} → ${newRole}`,
        ).toBe(null);
        expect(
          codeOf({ kind: 'changeRole', actorRole: 'OWNER', targetRole, newRole, self: true, owners: 2 }),
        ).toBe('FORBIDDEN');
      }
    }
  });

  it('the last owner is never demoted, removed, or allowed to leave', () => {
    expect(
      codeOf({
        kind: 'changeRole',
        actorRole: 'OWNER',
        targetRole: 'OWNER',
        newRole: 'ADMIN',
        self: false,
        owners: 1,
      }),
    ).toBe('CONFLICT');
    expect(
      codeOf({
        kind: 'changeRole',
        actorRole: 'OWNER',
        targetRole: 'OWNER',
        newRole: 'OWNER',
        self: false,
        owners: 1,
      }),
    ).toBe(null);
    expect(codeOf({ kind: 'remove', actorRole: 'OWNER', targetRole: 'OWNER', self: false, owners: 1 })).toBe(
      'CONFLICT',
    );
    expect(codeOf({ kind: 'remove', actorRole: 'OWNER', targetRole: 'OWNER', self: false, owners: 2 })).toBe(
      null,
    );
    expect(codeOf({ kind: 'leave', actorRole: 'OWNER', owners: 1 })).toBe('CONFLICT');
    expect(codeOf({ kind: 'leave', actorRole: 'OWNER', owners: 2 })).toBe(null);
    for (const actorRole of ['ADMIN', 'DEVELOPER', 'VIEWER'] as const) {
      expect(codeOf({ kind: 'leave', actorRole, owners: 1 })).toBe(null);
    }
  });

  it('admins cannot remove owners; nobody removes themselves (they leave)', () => {
    expect(codeOf({ kind: 'remove', actorRole: 'ADMIN', targetRole: 'OWNER', self: false, owners: 3 })).toBe(
      'FORBIDDEN',
    );
    for (const targetRole of ['ADMIN', 'DEVELOPER', 'VIEWER'] as const) {
      expect(codeOf({ kind: 'remove', actorRole: 'ADMIN', targetRole, self: false, owners: 1 })).toBe(null);
    }
    expect(codeOf({ kind: 'remove', actorRole: 'ADMIN', targetRole: 'ADMIN', self: true, owners: 1 })).toBe(
      'BAD_REQUEST',
    );
  });
});

describe('secret tokens', () => {
  it('are 32 random bytes in base64url, stored as a SHA-256 hex digest', () => {
    const a = generateSecretToken();
    const b = generateSecretToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(hashSecretToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecretToken(a)).toBe(hashSecretToken(a));
    expect(hashSecretToken(a)).not.toBe(hashSecretToken(b));
  });
});
