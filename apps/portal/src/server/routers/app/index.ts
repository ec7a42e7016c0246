import {
  subscribeNewAppWithPayment,
  ZSubscribeNewAppWithPayment,
} from '@portcullis/billing/stripe-sync/checkout';
import { ZAppCreate, ZAppRef } from '@portcullis/core/schemas';
import { createApp, getApp, listApps, listAppsForActor } from '@portcullis/services/verbs/app';
import { getAppMcpReach, ZAppMcpRef } from '@portcullis/services/verbs/app-mcp';
import { env } from '../../../env';
import { gatewayApiMcpUrl, gatewayAppMcpUrl } from '../../gateway-url';
import { rolesWith } from '../../permissions';
import { stripeAccess } from '../../stripe-access';
import { orgProcedure, protectedProcedure, router, verbCtx } from '../../trpc';

/** Roles that may both create an app and subscribe it: who can start from the catalog with a new app. */
const APP_STARTER_ROLES = rolesWith('app.write').filter((role) =>
  rolesWith('subscription.create').includes(role),
);

export const appDomainRouter = router({
  create: orgProcedure('app.write')
    .input(ZAppCreate)
    .mutation(({ ctx, input }) => createApp(verbCtx(ctx), input)),
  list: orgProcedure('app.read').query(({ ctx }) => listApps(verbCtx(ctx))),
  get: orgProcedure('app.read')
    .input(ZAppRef)
    .query(({ ctx, input }) => getApp(verbCtx(ctx), input)),
  /** The app's MCP endpoint, the APIs whose tools it merges, and the MCP APIs called at their own URL. */
  mcp: orgProcedure('app.read')
    .input(ZAppMcpRef)
    .query(async ({ ctx, input }) => {
      const gateway = { publicUrl: env.GATEWAY_PUBLIC_URL, orgHostSuffix: env.GATEWAY_ORG_HOST_SUFFIX };
      const apis = (await getAppMcpReach(verbCtx(ctx), input)).map((api) => ({
        ...api,
        url: gatewayApiMcpUrl(gateway, api.providerSlug, api.apiSlug),
      }));
      return { url: gatewayAppMcpUrl(gateway), apis };
    }),
  /** Apps the signed-in user may subscribe with, across all their orgs (the catalog's "App" select). */
  subscribable: protectedProcedure.query(({ ctx }) =>
    listAppsForActor(ctx, rolesWith('subscription.create')),
  ),
  /**
   * The catalog's "subscribe with a new app": creates the app (in the chosen org, or in a new personal
   * org for a developer in none) and subscribes it, all or nothing. The org comes from the actor's
   * memberships, never from input alone. A paid plan waits for a payment method as on any other path;
   * `{org}` in the return URLs stands for the slug of the org that holds the app.
   */
  createAndSubscribe: protectedProcedure
    .input(ZSubscribeNewAppWithPayment)
    .mutation(({ ctx, input }) =>
      subscribeNewAppWithPayment({ db: ctx.db, actor: ctx.actor }, input, APP_STARTER_ROLES, stripeAccess()),
    ),
});
