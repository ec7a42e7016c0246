import type { Db } from '@portcullis/db';
import { lockKey } from '@portcullis/services/verbs/context';
import { suspendForNonPayment } from './suspension.ts';

const DAY_MS = 86_400_000;

export interface PaymentGraceSummary {
  /** delinquent customers whose grace period is over */
  overdueCustomers: number;
  suspended: Array<{ subscriptionId: string; providerOrgId: string; customerOrgId: string }>;
}

/**
 * Suspends ('payment_failed': the gateway answers 402 payment_required) the ACTIVE subscriptions of
 * every consumer whose Stripe payment has been failing for longer than its provider's graceDays. Safe to
 * run often and from several workers: each customer is re-read under a lock, so a payment success
 * applied in between wins, and subscriptions already suspended are left as they are.
 */
export async function enforcePaymentGrace(db: Db, input: { now: Date }): Promise<PaymentGraceSummary> {
  const accounts = await db.stripeAccount.findMany({ select: { orgId: true, graceDays: true } });
  const summary: PaymentGraceSummary = { overdueCustomers: 0, suspended: [] };
  for (const account of accounts) {
    const deadline = new Date(input.now.getTime() - account.graceDays * DAY_MS);
    const overdue = await db.stripeCustomer.findMany({
      where: { providerOrgId: account.orgId, delinquentSince: { lt: deadline } },
      select: { id: true, customerOrgId: true },
      orderBy: { id: 'asc' },
    });
    for (const customer of overdue) {
      const suspended = await db.$transaction(async (tx) => {
        await lockKey(tx, `stripe-customer:${customer.id}`);
        const current = await tx.stripeCustomer.findUnique({
          where: { id: customer.id },
          select: { delinquentSince: true },
        });
        if (!current?.delinquentSince || current.delinquentSince >= deadline) return null;
        return suspendForNonPayment(
          tx,
          { providerOrgId: account.orgId, customerOrgId: customer.customerOrgId },
          { delinquentSince: current.delinquentSince.toISOString(), graceDays: account.graceDays },
        );
      });
      if (suspended === null) continue;
      summary.overdueCustomers += 1;
      for (const subscriptionId of suspended) {
        summary.suspended.push({
          subscriptionId,
          providerOrgId: account.orgId,
          customerOrgId: customer.customerOrgId,
        });
      }
    }
  }
  return summary;
}
