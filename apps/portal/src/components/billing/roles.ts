import type { Role } from '@portcullis/db';
import { can } from '../../server/permissions';

/**
 * Why a member's role cannot use a money control, shown beside the control it disables or
 * replaces; null when the role can. Mirrors the permission each procedure asks for.
 */

/** Saving a payment method or opening Stripe's customer portal (`subscription.create`). */
export function payBlockedReason(role: Role): string | null {
  if (can(role, 'subscription.create')) return null;
  return `Your role (${role}) cannot add payment methods; owners, admins and developers can.`;
}

/** Connecting, replacing or disconnecting the organization's Stripe account (`plan.write`). */
export function stripeBlockedReason(role: Role): string | null {
  return can(role, 'plan.write') ? null : 'Only owners and admins can connect Stripe.';
}

/** Adding and deleting usage alerts (`billing.manage`). */
export function alertsBlockedReason(role: Role): string | null {
  if (can(role, 'billing.manage')) return null;
  return `Your role (${role}) can see alerts; owners and admins add and delete them.`;
}
