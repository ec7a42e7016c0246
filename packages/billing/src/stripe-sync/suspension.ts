import type { Prisma, Tx } from '@portcullis/db';
import { notifyConfig } from '@portcullis/services/verbs/context';

/** Subscription.suspendedReason of a subscription suspended for an unpaid Stripe invoice (gateway: 402). */
export const PAYMENT_FAILED_REASON = 'payment_failed';

interface Scope {
  providerOrgId: string;
  /** one consumer org, or every consumer of the provider */
  customerOrgId?: string;
}

function scopeWhere(scope: Scope): Prisma.SubscriptionWhereInput {
  return {
    plan: { api: { orgId: scope.providerOrgId } },
    ...(scope.customerOrgId ? { app: { orgId: scope.customerOrgId } } : {}),
  };
}

async function audit(
  tx: Tx,
  entry: { providerOrgId: string; actorId: string | null; action: string; subscriptionId: string },
  before: Prisma.InputJsonValue,
  after: Prisma.InputJsonValue,
) {
  await tx.auditLog.create({
    data: {
      orgId: entry.providerOrgId,
      actorId: entry.actorId,
      action: entry.action,
      targetType: 'Subscription',
      targetId: entry.subscriptionId,
      before,
      after,
    },
  });
}

/**
 * ACTIVE → SUSPENDED('payment_failed') for the consumer's subscriptions to the provider's plans, each
 * guarded on its status (a concurrent manual change wins), audited and announced to gateways on commit.
 */
export async function suspendForNonPayment(
  tx: Tx,
  scope: Scope & { customerOrgId: string },
  cause: Prisma.InputJsonValue,
): Promise<string[]> {
  const candidates = await tx.subscription.findMany({
    where: { ...scopeWhere(scope), status: 'ACTIVE' },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  const changed: string[] = [];
  for (const { id } of candidates) {
    const { count } = await tx.subscription.updateMany({
      where: { id, status: 'ACTIVE' },
      data: { status: 'SUSPENDED', suspendedReason: PAYMENT_FAILED_REASON },
    });
    if (count === 0) continue;
    changed.push(id);
    await audit(
      tx,
      {
        providerOrgId: scope.providerOrgId,
        actorId: null,
        action: 'subscription.suspend',
        subscriptionId: id,
      },
      { status: 'ACTIVE' },
      { status: 'SUSPENDED', reason: PAYMENT_FAILED_REASON, cause },
    );
    await notifyConfig(tx, { kind: 'subscription', id });
  }
  return changed;
}

/** SUSPENDED('payment_failed') → ACTIVE; subscriptions suspended for any other reason stay suspended. */
export async function resumeAfterPayment(
  tx: Tx,
  scope: Scope,
  actorId: string | null,
  cause: Prisma.InputJsonValue,
): Promise<string[]> {
  const candidates = await tx.subscription.findMany({
    where: { ...scopeWhere(scope), status: 'SUSPENDED', suspendedReason: PAYMENT_FAILED_REASON },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  const changed: string[] = [];
  for (const { id } of candidates) {
    const { count } = await tx.subscription.updateMany({
      where: { id, status: 'SUSPENDED', suspendedReason: PAYMENT_FAILED_REASON },
      data: { status: 'ACTIVE', suspendedReason: null },
    });
    if (count === 0) continue;
    changed.push(id);
    await audit(
      tx,
      { providerOrgId: scope.providerOrgId, actorId, action: 'subscription.resume', subscriptionId: id },
      { status: 'SUSPENDED', reason: PAYMENT_FAILED_REASON },
      { status: 'ACTIVE', cause },
    );
    await notifyConfig(tx, { kind: 'subscription', id });
  }
  return changed;
}
