import {
  connectStripe,
  disconnectStripe,
  stripeStatus,
  ZStripeConnect,
} from '@portcullis/billing/stripe-sync/connect';
import {
  billingPortalLink,
  paymentSetupLink,
  stripeBillingForConsumer,
  ZBillingPortalLink,
  ZPaymentSetupLink,
} from '@portcullis/billing/stripe-sync/sessions';
import { stripeAccess } from '../../stripe-access';
import { orgProcedure, router, verbCtx } from '../../trpc';

export const stripeRouter = router({
  /** Provider: orgSlug is the org whose Stripe account it is. Never returns a secret. */
  status: orgProcedure('org.read').query(({ ctx }) => stripeStatus(verbCtx(ctx))),
  connect: orgProcedure('plan.write')
    .input(ZStripeConnect)
    .mutation(({ ctx, input }) => {
      const { encryptionKey, apiBase } = stripeAccess();
      return connectStripe(verbCtx(ctx), input, encryptionKey, apiBase ? { apiBase } : {});
    }),
  disconnect: orgProcedure('plan.write').mutation(({ ctx }) => disconnectStripe(verbCtx(ctx))),

  /** Consumer: orgSlug is the consumer org; the provider is named by id. */
  consumerBilling: orgProcedure('subscription.read').query(({ ctx }) =>
    stripeBillingForConsumer(verbCtx(ctx)),
  ),
  paymentSetupLink: orgProcedure('subscription.create')
    .input(ZPaymentSetupLink)
    .mutation(({ ctx, input }) => paymentSetupLink(verbCtx(ctx), input, stripeAccess())),
  billingPortalLink: orgProcedure('subscription.create')
    .input(ZBillingPortalLink)
    .mutation(({ ctx, input }) => billingPortalLink(verbCtx(ctx), input, stripeAccess())),
});
