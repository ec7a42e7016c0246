import { randomBytes } from 'node:crypto';
import { badRequest, forbidden, notFound } from '@portcullis/core/errors';
import { ZAppCreate, ZId, ZSlugRef } from '@portcullis/core/schemas';
import type { Role, Tx } from '@portcullis/db';
import { z } from 'zod';
import { createApp } from './app.ts';
import { type ActorCtx, inTransaction, lockKey } from './context.ts';
import { createOrg, findMembership } from './org.ts';
import { type SubscribedPlan, subscribe } from './subscription.ts';

export const ZSubscribeWithNewApp = z.object({
  planId: ZId,
  appName: ZAppCreate.shape.name,
  /**
   * The organization that will hold the app. Absent: a new personal organization, which only someone
   * who is in no organization able to hold apps gets.
   */
  orgSlug: ZSlugRef.optional(),
});
export type SubscribeWithNewAppInput = z.input<typeof ZSubscribeWithNewApp>;

const NAME_MAX = 100;
const SLUG_BASE_MAX = 40 - 7;

/**
 * Dana Developer's personal organization: "Dana Developer's workspace", slug "dana-developer-" and a
 * random suffix (so it is never a reserved word and two developers called Dana do not collide). Without
 * a name, the address's local part stands in.
 */
export function personalOrg(
  user: { name: string | null; email: string },
  suffix = randomBytes(3).toString('hex'),
): { name: string; slug: string } {
  const who = user.name?.trim() || user.email.split('@')[0] || 'Developer';
  const ending = "'s workspace";
  const base = who
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_BASE_MAX)
    .replace(/-+$/, '');
  return { name: `${who.slice(0, NAME_MAX - ending.length)}${ending}`, slug: `${base || 'dev'}-${suffix}` };
}

/**
 * A developer's first subscription in one step: a new app is created (in `orgSlug`, or in a new personal
 * organization for someone in no organization that may hold apps) and subscribed to the plan, in one
 * transaction, so a refused subscription leaves no app or organization behind. `roles` are those that
 * may both create apps and subscribe them; `needsPaymentMethod` decides, as for any subscription, whether
 * it must first wait for a payment method.
 */
export async function subscribeWithNewApp(
  ctx: ActorCtx,
  raw: SubscribeWithNewAppInput,
  roles: readonly Role[],
  needsPaymentMethod: (tx: Tx, consumerOrgId: string, plan: SubscribedPlan) => Promise<boolean>,
) {
  const input = ZSubscribeWithNewApp.parse(raw);
  return inTransaction(ctx.db, async (tx) => {
    // Two clicks at once must not give the developer two personal organizations.
    await lockKey(tx, `first-app:${ctx.actor.id}`);
    const actorCtx = { db: tx, actor: ctx.actor };
    let org: { id: string; slug: string; name: string };
    if (input.orgSlug) {
      const membership = await findMembership(actorCtx, input.orgSlug);
      if (!membership) throw notFound('Organization');
      if (!roles.includes(membership.role)) {
        throw forbidden('Your role does not allow creating apps in this organization');
      }
      org = { id: membership.id, slug: membership.slug, name: membership.name };
    } else {
      const holders = await tx.membership.count({
        where: { userId: ctx.actor.id, role: { in: [...roles] } },
      });
      if (holders > 0) {
        throw badRequest('Choose the organization that will hold the app', {
          orgSlug: 'Choose an organization',
        });
      }
      const user = await tx.user.findUniqueOrThrow({
        where: { id: ctx.actor.id },
        select: { name: true, email: true },
      });
      org = await createOrg(actorCtx, personalOrg(user));
    }
    const orgCtx = { ...actorCtx, org: { id: org.id } };
    const app = await createApp(orgCtx, { name: input.appName, description: '' });
    const subscription = await subscribe(
      orgCtx,
      { appId: app.id, planId: input.planId },
      { needsPaymentMethod: (payTx, plan) => needsPaymentMethod(payTx, org.id, plan) },
    );
    return { org, app: { id: app.id, name: app.name }, subscription };
  });
}
