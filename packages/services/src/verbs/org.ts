import { conflict } from '@portcullis/core/errors';
import type { OrgCreateInput } from '@portcullis/core/schemas';
import type { Role } from '@portcullis/db';
import { type ActorCtx, inTransaction, isUniqueViolation, writeAudit } from './context.ts';

const SLUG_TAKEN = 'This slug is already taken';

/** Creates an organization; its creator becomes OWNER. */
export async function createOrg(ctx: ActorCtx, input: OrgCreateInput) {
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const taken = await tx.organization.findUnique({ where: { slug: input.slug }, select: { id: true } });
      if (taken) throw conflict(SLUG_TAKEN, { slug: SLUG_TAKEN });
      const org = await tx.organization.create({
        data: {
          name: input.name,
          slug: input.slug,
          memberships: { create: { userId: ctx.actor.id, role: 'OWNER' } },
        },
        select: { id: true, slug: true, name: true },
      });
      await writeAudit(tx, ctx.actor, {
        orgId: org.id,
        action: 'org.create',
        targetType: 'Organization',
        targetId: org.id,
        after: { name: org.name, slug: org.slug },
      });
      return org;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(SLUG_TAKEN, { slug: SLUG_TAKEN });
    throw error;
  }
}

export interface MyOrg {
  id: string;
  slug: string;
  name: string;
  role: Role;
}

export async function listMyOrgs(ctx: ActorCtx): Promise<MyOrg[]> {
  const memberships = await ctx.db.membership.findMany({
    where: { userId: ctx.actor.id },
    select: { role: true, org: { select: { id: true, slug: true, name: true } } },
    orderBy: { org: { name: 'asc' } },
  });
  return memberships.map((m) => ({ ...m.org, role: m.role }));
}

/** The actor's membership in the org with this slug, or null: callers turn null into NOT_FOUND. */
export async function findMembership(ctx: ActorCtx, orgSlug: string): Promise<MyOrg | null> {
  const membership = await ctx.db.membership.findFirst({
    where: { userId: ctx.actor.id, org: { slug: orgSlug } },
    select: { role: true, org: { select: { id: true, slug: true, name: true } } },
  });
  return membership ? { ...membership.org, role: membership.role } : null;
}
