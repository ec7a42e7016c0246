import { badRequest, conflict, type DomainError, forbidden } from '@portcullis/core/errors';
import type { Role } from '@portcullis/db';

/**
 * The member rules (owners, oneself, the last owner) as one pure function; members.ts checks them
 * against the actor's role read inside each mutation's transaction.
 */

export type MemberChange =
  | { kind: 'invite'; actorRole: Role; newRole: Role }
  | { kind: 'revokeInvitation'; actorRole: Role; invitedRole: Role }
  | { kind: 'changeRole'; actorRole: Role; targetRole: Role; newRole: Role; self: boolean; owners: number }
  | { kind: 'remove'; actorRole: Role; targetRole: Role; self: boolean; owners: number }
  | { kind: 'leave'; actorRole: Role; owners: number };

/** Why `change` is not allowed, or null. `owners` counts the org's OWNERs before the change. */
export function memberRuleViolation(change: MemberChange): DomainError | null {
  const isOwner = change.actorRole === 'OWNER';
  switch (change.kind) {
    case 'invite':
      return change.newRole === 'OWNER' && !isOwner
        ? forbidden('Only an owner can invite another owner')
        : null;
    case 'revokeInvitation':
      return change.invitedRole === 'OWNER' && !isOwner
        ? forbidden('Only an owner can revoke an invitation to become owner')
        : null;
    case 'changeRole':
      if (change.self) return forbidden('You cannot change your own role');
      if ((change.targetRole === 'OWNER' || change.newRole === 'OWNER') && !isOwner) {
        return forbidden('Only an owner can grant or change the owner role');
      }
      if (change.targetRole === 'OWNER' && change.newRole !== 'OWNER' && change.owners <= 1) {
        return conflict('The last owner cannot be demoted');
      }
      return null;
    case 'remove':
      if (change.self) return badRequest('To remove yourself, leave the organization');
      if (change.targetRole === 'OWNER' && !isOwner) return forbidden('Only an owner can remove an owner');
      if (change.targetRole === 'OWNER' && change.owners <= 1) {
        return conflict('The last owner cannot be removed');
      }
      return null;
    case 'leave':
      return change.actorRole === 'OWNER' && change.owners <= 1
        ? conflict('You are the last owner: make another member an owner before leaving')
        : null;
  }
}

export function enforce(change: MemberChange): void {
  const violation = memberRuleViolation(change);
  if (violation) throw violation;
}
