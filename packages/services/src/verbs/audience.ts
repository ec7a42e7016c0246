import type { Db, Role, Tx } from '@portcullis/db';

/** Who hears about what: the recipients of lifecycle and subscription notifications. */

/** Roles that decide on subscriptions (subscription.approve in the portal's permission table). */
export const APPROVER_ROLES: Role[] = ['OWNER', 'ADMIN'];
/** Roles that act on an app's subscriptions and keys (everyone but VIEWER). */
const CONSUMER_ACTOR_ROLES: Role[] = ['OWNER', 'ADMIN', 'DEVELOPER'];

export async function membersWithRoles(db: Db | Tx, orgIds: string[], roles: Role[]): Promise<string[]> {
  if (orgIds.length === 0) return [];
  const rows = await db.membership.findMany({
    where: { orgId: { in: orgIds }, role: { in: roles } },
    select: { userId: true },
  });
  return [...new Set(rows.map((r) => r.userId))];
}

/**
 * Everyone who acts for an app with an open subscription to the API, plus whoever requested each
 * subscription if they are still a member of its org.
 */
export async function apiSubscriberUserIds(db: Db | Tx, apiId: string): Promise<string[]> {
  const subscriptions = await db.subscription.findMany({
    where: { plan: { apiId }, status: { in: ['PENDING', 'ACTIVE', 'SUSPENDED'] } },
    select: { requestedById: true, app: { select: { orgId: true } } },
  });
  const orgIds = [...new Set(subscriptions.map((s) => s.app.orgId))];
  const ids = new Set(await membersWithRoles(db, orgIds, CONSUMER_ACTOR_ROLES));
  const requesters = subscriptions.map((s) => s.requestedById).filter((id): id is string => id !== null);
  if (requesters.length > 0) {
    const stillMembers = await db.membership.findMany({
      where: { userId: { in: requesters }, orgId: { in: orgIds } },
      select: { userId: true },
    });
    for (const m of stillMembers) ids.add(m.userId);
  }
  return [...ids];
}

/** The requester of a subscription if still a member of the app's org, else the org's owners and admins. */
export async function subscriptionRequesterIds(
  db: Db | Tx,
  subscription: { requestedById: string | null; appOrgId: string },
): Promise<string[]> {
  if (subscription.requestedById) {
    const member = await db.membership.findFirst({
      where: { userId: subscription.requestedById, orgId: subscription.appOrgId },
      select: { userId: true },
    });
    if (member) return [member.userId];
  }
  return membersWithRoles(db, [subscription.appOrgId], APPROVER_ROLES);
}
