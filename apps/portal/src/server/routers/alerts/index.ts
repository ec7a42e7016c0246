import {
  createUsageAlert,
  deleteUsageAlert,
  listUsageAlerts,
  usageAlertOptions,
  ZCreateUsageAlert,
  ZUsageAlertRef,
} from '@portcullis/services/verbs/usage-alerts';
import { orgProcedure, router, verbCtx } from '../../trpc';

/**
 * Usage alerts: any member sees them; setting and removing them follows who may manage the org's
 * billing (owners and admins), who are also the ones notified.
 */
export const alertsRouter = router({
  list: orgProcedure('usage.read').query(({ ctx }) => listUsageAlerts(verbCtx(ctx))),
  options: orgProcedure('usage.read').query(({ ctx }) => usageAlertOptions(verbCtx(ctx))),
  create: orgProcedure('billing.manage')
    .input(ZCreateUsageAlert)
    .mutation(({ ctx, input }) => createUsageAlert(verbCtx(ctx), input)),
  delete: orgProcedure('billing.manage')
    .input(ZUsageAlertRef)
    .mutation(({ ctx, input }) => deleteUsageAlert(verbCtx(ctx), input)),
});
