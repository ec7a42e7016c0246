import { can, type Permission, rolesWith } from '../../../../../../server/permissions';

type Role = Parameters<typeof can>[0];

const PLURAL: Record<Role, string> = {
  OWNER: 'owners',
  ADMIN: 'admins',
  DEVELOPER: 'developers',
  VIEWER: 'viewers',
};

/** "owners, admins and developers": the roles holding a permission, in words. */
export function whoMay(permission: Permission): string {
  const names = rolesWith(permission).map((role) => PLURAL[role]);
  if (names.length <= 1) return names[0] ?? 'nobody';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * Why a control is missing for the viewer's role, e.g. "Your role (VIEWER) can see keys; owners,
 * admins and developers create, rotate and revoke them." Null while the role is unknown or allowed.
 */
export function readOnlyNote(
  role: Role | undefined,
  permission: Permission,
  seen: string,
  action: string,
): string | null {
  if (!role || can(role, permission)) return null;
  return `Your role (${role}) can see ${seen}; ${whoMay(permission)} ${action}.`;
}
