import type { Role } from '@portcullis/db';

/** Every permission a procedure can ask for, and the one role × permission table. */
export type Permission =
  | 'org.read'
  | 'api.read'
  | 'api.write'
  | 'plan.write'
  | 'app.read'
  | 'app.write'
  | 'subscription.read'
  | 'subscription.create'
  | 'subscription.approve'
  | 'key.read'
  | 'key.write'
  | 'usage.read'
  /** gateway policies, upstream targets and the OpenAPI document of an API */
  | 'policy.write'
  /** deprecate / retire an API: cuts consumers off */
  | 'api.lifecycle'
  /** the org's invoices, usage against quota and projected charges */
  | 'billing.read'
  /** plan pricing, revenue reports, marking local invoices paid or void */
  | 'billing.manage'
  /** analytics charts and the request log explorer of the org's APIs and apps */
  | 'analytics.read'
  /** invite members, change roles, remove members (OWNER-only rules are enforced in the verbs) */
  | 'member.manage'
  /** the org's audit log */
  | 'audit.read';

const READ: Permission[] = [
  'org.read',
  'api.read',
  'app.read',
  'subscription.read',
  'key.read',
  'usage.read',
  'billing.read',
  'analytics.read',
];
const ALL: Permission[] = [
  ...READ,
  'api.write',
  'plan.write',
  'app.write',
  'subscription.create',
  'subscription.approve',
  'key.write',
  'policy.write',
  'api.lifecycle',
  'billing.manage',
  'member.manage',
  'audit.read',
];

const TABLE: Record<Role, ReadonlySet<Permission>> = {
  OWNER: new Set(ALL),
  ADMIN: new Set(ALL),
  DEVELOPER: new Set([...READ, 'app.write', 'subscription.create', 'key.write']),
  VIEWER: new Set(READ),
};

export function can(role: Role, permission: Permission): boolean {
  return TABLE[role].has(permission);
}

export function rolesWith(permission: Permission): Role[] {
  return (Object.keys(TABLE) as Role[]).filter((role) => can(role, permission));
}
