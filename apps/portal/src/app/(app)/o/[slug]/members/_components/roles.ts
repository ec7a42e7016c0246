export type MemberRole = 'OWNER' | 'ADMIN' | 'DEVELOPER' | 'VIEWER';
const ROLES: readonly MemberRole[] = ['OWNER', 'ADMIN', 'DEVELOPER', 'VIEWER'];

export const ROLE_HINTS: Record<MemberRole, string> = {
  OWNER: 'Owner — everything, owners too',
  ADMIN: 'Admin — everything but owners',
  DEVELOPER: 'Developer — apps and keys',
  VIEWER: 'Viewer — read only',
};

/** Roles the actor may hand out: only owners grant OWNER. */
export const grantableRoles = (actorRole: MemberRole) =>
  ROLES.filter((r) => r !== 'OWNER' || actorRole === 'OWNER');

/** Mirrors the verbs' rules so the page only offers what the server will accept. */
export function mayManageMember(actorRole: MemberRole, targetRole: MemberRole, self: boolean): boolean {
  if (self || (actorRole !== 'OWNER' && actorRole !== 'ADMIN')) return false;
  return targetRole !== 'OWNER' || actorRole === 'OWNER';
}

/** Why a member row offers no controls, for the reader who expected some. */
export function whyNotManageable(
  actorRole: MemberRole,
  targetRole: MemberRole,
  self: boolean,
): string | null {
  if (mayManageMember(actorRole, targetRole, self)) return null;
  if (self) return 'You cannot change your own role';
  if (actorRole !== 'OWNER' && actorRole !== 'ADMIN') return 'Only owners and admins manage members';
  return 'Only owners manage owners';
}

export const formatDate = (date: Date) =>
  new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
