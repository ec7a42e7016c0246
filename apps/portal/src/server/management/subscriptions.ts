import { ZSubscriptionReject } from '@portcullis/core/schemas';
import {
  approveSubscription,
  listPendingForProvider,
  listSubscribersForApi,
  rejectSubscription,
  resumeSubscription,
  suspendSubscription,
} from '@portcullis/services/verbs/subscription';
import { z } from 'zod';
import { endpoint, out, verbCtxOf } from './endpoint';

const ZId = z.string().min(1).max(64);
const ZSubscriptionParams = z.object({ subscriptionId: ZId });
const ZSubscriptionOut = out({ id: z.string(), status: z.string() });

/** One provider decision on a subscription to one of the org's APIs. */
function decision(verb: 'approve' | 'suspend' | 'resume', summary: string, run: typeof approveSubscription) {
  return endpoint({
    id: `subscriptions.${verb}`,
    method: 'POST',
    path: `/subscriptions/{subscriptionId}/${verb}`,
    summary,
    scope: 'subscriptions:write',
    permission: 'subscription.approve',
    params: ZSubscriptionParams,
    output: ZSubscriptionOut,
    handler: (ctx, input) => run(verbCtxOf(ctx), input),
  });
}

export const SUBSCRIPTION_ENDPOINTS = [
  endpoint({
    id: 'subscriptions.pending',
    method: 'GET',
    path: '/subscriptions/pending',
    summary: "Subscriptions to the org's APIs waiting for approval",
    scope: 'subscriptions:read',
    permission: 'subscription.read',
    output: z.array(ZSubscriptionOut),
    handler: (ctx) => listPendingForProvider(verbCtxOf(ctx)),
  }),
  endpoint({
    id: 'subscriptions.listForApi',
    method: 'GET',
    path: '/apis/{apiId}/subscriptions',
    summary: "Every subscription to one of the org's APIs",
    scope: 'subscriptions:read',
    permission: 'subscription.read',
    params: z.object({ apiId: ZId }),
    output: z.array(ZSubscriptionOut),
    handler: (ctx, input) => listSubscribersForApi(verbCtxOf(ctx), input),
  }),
  decision('approve', 'Approve a pending subscription', approveSubscription),
  endpoint({
    id: 'subscriptions.reject',
    method: 'POST',
    path: '/subscriptions/{subscriptionId}/reject',
    summary: 'Reject a pending subscription with a reason',
    scope: 'subscriptions:write',
    permission: 'subscription.approve',
    params: ZSubscriptionParams,
    body: ZSubscriptionReject.omit({ subscriptionId: true }),
    output: ZSubscriptionOut,
    handler: (ctx, input) => rejectSubscription(verbCtxOf(ctx), input),
  }),
  decision('suspend', 'Suspend an active subscription', suspendSubscription),
  decision('resume', 'Resume a suspended subscription', resumeSubscription),
];
