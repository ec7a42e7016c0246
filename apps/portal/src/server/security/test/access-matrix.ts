import { uniq } from '../../../../../../test/fixtures';
import { AI_ACCESS_MATRIX } from './access-matrix-ai';
import {
  catalogRef,
  cons,
  future,
  type MatrixEntry,
  noInput,
  PUBLIC,
  prov,
  provApi,
  range,
  role,
  SIGNED_IN,
} from './matrix-kit';

export type { Access, MatrixEntry } from './matrix-kit';

const STRIPE_LINK_REASON =
  'the provider has no Stripe account in this world (connecting one talks to Stripe), so every caller gets NOT_FOUND; stripe.int.test.ts covers the allowed path against its fake Stripe';

/**
 * Who may call each tRPC procedure (the vocabulary is in matrix-kit.ts). isolation.int.test.ts fails for
 * a procedure without an entry here and for an entry naming a procedure that no longer exists.
 */
export const ACCESS_MATRIX: Record<string, MatrixEntry> = {
  // auth / account: the caller's own account
  'auth.signUp': {
    access: PUBLIC,
    input: () => ({ name: 'New', email: `${uniq('signup')}@example.test`, password: 'a-long-passphrase-1' }),
  },
  'auth.me': { access: PUBLIC, input: noInput },
  'account.requestPasswordReset': { access: PUBLIC, input: () => ({ email: 'nobody@example.test' }) },
  'account.resetPassword': {
    access: PUBLIC,
    input: () => ({ token: 'x'.repeat(43), password: 'a-long-passphrase-1' }),
  },
  'account.verifyEmail': { access: PUBLIC, input: () => ({ token: 'v'.repeat(43) }) },
  'account.profile': { access: SIGNED_IN, input: noInput },
  'account.resendVerification': { access: SIGNED_IN, input: noInput },
  'account.changeEmail': {
    access: SIGNED_IN,
    input: () => ({ email: `${uniq('moved')}@example.test`, currentPassword: 'not-the-password-1' }),
  },
  'account.changePassword': {
    access: SIGNED_IN,
    input: () => ({ currentPassword: 'not-the-password-1', password: 'a-long-passphrase-2' }),
  },
  'account.signOutEverywhere': { access: SIGNED_IN, input: noInput },
  'account.endUserSessions': {
    access: { kind: 'platformAdmin' },
    input: () => ({ email: 'nobody@example.test' }),
  },
  'account.notifications': { access: SIGNED_IN, input: () => ({}) },
  'account.unreadCount': { access: SIGNED_IN, input: noInput },
  'account.markRead': { access: SIGNED_IN, input: (w) => ({ ids: [w.consumer.notificationId] }) },
  'account.outbox': { access: { kind: 'platformAdmin' }, input: () => ({}) },

  // orgs and members
  'org.create': { access: SIGNED_IN, input: () => ({ name: 'New org', slug: uniq('neworg') }) },
  'org.listMine': { access: SIGNED_IN, input: noInput },
  'org.get': { access: role('provider', 'VIEWER'), input: prov },
  'members.list': { access: role('provider', 'VIEWER'), input: prov },
  'members.invitations': { access: role('provider', 'ADMIN'), input: prov },
  'members.invite': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), email: `${uniq('inv')}@example.test`, role: 'VIEWER' }),
  },
  'members.revokeInvitation': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), invitationId: w.provider.invitationId }),
  },
  'members.changeRole': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), userId: w.provider.bystanderId, role: 'DEVELOPER' }),
  },
  'members.remove': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), userId: w.provider.bystanderId }),
  },
  'members.leave': { access: role('provider', 'VIEWER'), input: prov },
  'members.invitation': { access: SIGNED_IN, input: (w) => ({ token: w.provider.invitationToken }) },
  'members.accept': { access: { kind: 'invitee' }, input: (w) => ({ token: w.provider.invitationToken }) },

  // provider: APIs, sharing, versions, changelog
  'api.create': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({
      ...prov(w),
      name: 'Another',
      slug: uniq('another'),
      upstreamUrl: 'http://127.0.0.1:9/another',
    }),
  },
  'api.list': { access: role('provider', 'VIEWER'), input: prov },
  'api.get': {
    access: role('provider', 'VIEWER'),
    input: (w) => ({ ...prov(w), apiSlug: w.provider.apiSlug }),
  },
  'api.publish': { access: role('provider', 'ADMIN'), input: provApi },
  'api.updateUpstream': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), upstreamUrl: 'http://127.0.0.1:9/moved' }),
  },
  'api.update': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), name: 'Weather 2', description: '', tags: [], visibility: 'PUBLIC' }),
  },
  'api.shares': { access: role('provider', 'VIEWER'), input: provApi },
  'api.addShare': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), shareWithSlug: w.consumer.slug }),
  },
  'api.removeShare': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), sharedOrgId: w.consumer.id }),
  },
  'api.catalogSettings': { access: role('provider', 'VIEWER'), input: prov },
  'api.setAnonymousBrowse': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), allowAnonymousBrowse: true }),
  },
  'api.versions': { access: role('provider', 'VIEWER'), input: provApi },
  'api.publishVersion': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), version: uniq('v') }),
  },
  'api.changelog': { access: role('provider', 'VIEWER'), input: provApi },
  'api.addChangelog': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), title: 'Note' }),
  },
  'api.removeChangelog': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), entryId: w.provider.changelogEntryId }),
  },

  // provider: plans, gateway policies, lifecycle
  'plan.create': { access: role('provider', 'ADMIN'), input: (w) => ({ ...provApi(w), name: 'Pro' }) },
  'plan.list': { access: role('provider', 'VIEWER'), input: provApi },
  'policy.get': {
    access: role('provider', 'VIEWER'),
    input: (w) => ({ ...prov(w), apiSlug: w.provider.apiSlug }),
  },
  'policy.updatePolicies': { access: role('provider', 'ADMIN'), input: provApi },
  'policy.mcp': {
    access: role('provider', 'VIEWER'),
    input: (w) => ({ ...prov(w), apiSlug: w.provider.apiSlug }),
  },
  'policy.updateMcp': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), enabled: false }),
  },
  'policy.updateUpstream': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), upstreamUrl: 'http://127.0.0.1:9/upstream' }),
  },
  'policy.setOpenApiSpec': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), document: null }),
  },
  'policy.updatePlan': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({
      ...prov(w),
      planId: w.provider.planId,
      rateLimit: 20,
      rateLimitWindowSeconds: 60,
      monthlyQuota: 2000,
      requiresApproval: true,
      limits: [],
    }),
  },
  'policy.archivePlan': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), planId: w.provider.planId }),
  },
  'policy.deprecate': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), sunsetAt: future(30), message: 'Use v2' }),
  },
  'policy.retire': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...provApi(w), confirmSlug: w.provider.apiSlug }),
  },
  'policy.subscribers': { access: role('provider', 'VIEWER'), input: provApi },

  // catalog: visibility rules of the verbs (the tenant allows anonymous browsing in the world)
  'catalog.list': { access: PUBLIC, input: () => ({}) },
  'catalog.facets': { access: PUBLIC, input: noInput },
  'catalog.get': { access: PUBLIC, input: catalogRef },
  'catalog.spec': { access: PUBLIC, input: (w) => ({ ...catalogRef(w), version: 'v1' }) },
  'catalog.compare': { access: PUBLIC, input: (w) => ({ ...catalogRef(w), from: 'v1', to: 'current' }) },
  'catalog.myApps': { access: SIGNED_IN, input: catalogRef },
  'catalog.hidden': { access: PUBLIC, input: noInput },

  // consumer: apps, subscriptions, keys, usage
  'app.create': { access: role('consumer', 'DEVELOPER'), input: (w) => ({ ...cons(w), name: uniq('app') }) },
  'app.list': { access: role('consumer', 'VIEWER'), input: cons },
  'app.get': { access: role('consumer', 'VIEWER'), input: (w) => ({ ...cons(w), appId: w.consumer.appId }) },
  'app.mcp': { access: role('consumer', 'VIEWER'), input: (w) => ({ ...cons(w), appId: w.consumer.appId }) },
  'app.subscribable': { access: SIGNED_IN, input: noInput },
  'app.createAndSubscribe': {
    access: SIGNED_IN,
    input: (w) => ({ planId: w.provider.planId, appName: uniq('first-app') }),
  },
  'subscription.create': {
    access: role('consumer', 'DEVELOPER'),
    input: (w) => ({ ...cons(w), appId: w.consumer.appId, planId: w.provider.planId }),
  },
  'subscription.cancel': {
    access: role('consumer', 'DEVELOPER'),
    input: (w) => ({ ...cons(w), subscriptionId: w.consumer.subscriptionId }),
  },
  'subscription.checkout': {
    access: role('consumer', 'DEVELOPER'),
    allowedMayBeRefused:
      'the world subscription does not wait for a payment method, so an allowed caller gets CONFLICT; checkout.int.test.ts covers the allowed path against its fake Stripe',
    input: (w) => ({
      ...cons(w),
      subscriptionId: w.consumer.subscriptionId,
      successUrl: 'https://portal.test/ok',
      cancelUrl: 'https://portal.test/back',
    }),
  },
  'subscription.listMine': {
    access: role('consumer', 'VIEWER'),
    input: (w) => ({ ...cons(w), appId: w.consumer.appId }),
  },
  'subscription.pending': { access: role('provider', 'VIEWER'), input: prov },
  'subscription.approve': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), subscriptionId: w.consumer.pendingSubscriptionId }),
  },
  'subscription.reject': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), subscriptionId: w.consumer.pendingSubscriptionId, reason: 'No' }),
  },
  'subscription.suspend': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), subscriptionId: w.consumer.subscriptionId }),
  },
  'subscription.resume': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), subscriptionId: w.consumer.subscriptionId }),
  },
  'key.create': {
    access: role('consumer', 'DEVELOPER'),
    input: (w) => ({ ...cons(w), appId: w.consumer.appId, name: 'ci' }),
  },
  'key.list': { access: role('consumer', 'VIEWER'), input: (w) => ({ ...cons(w), appId: w.consumer.appId }) },
  'key.revoke': {
    access: role('consumer', 'DEVELOPER'),
    input: (w) => ({ ...cons(w), keyId: w.consumer.keyId }),
  },
  'key.rotate': {
    access: role('consumer', 'DEVELOPER'),
    input: (w) => ({ ...cons(w), keyId: w.consumer.keyId, graceSeconds: 3600 }),
  },
  'usage.forSubscription': {
    access: role('consumer', 'VIEWER'),
    input: (w) => ({ ...cons(w), subscriptionId: w.consumer.subscriptionId }),
  },

  // analytics and logs (provider side; the consumer side runs the same scope checks)
  'analytics.scope': { access: role('provider', 'VIEWER'), input: prov },
  'analytics.timeseries': {
    access: role('provider', 'VIEWER'),
    input: (w) => ({ ...provApi(w), side: 'provider', ...range() }),
  },
  'analytics.top': {
    access: role('provider', 'VIEWER'),
    input: (w) => ({ ...provApi(w), side: 'provider', ...range() }),
  },
  'analytics.quotaBurnDown': {
    access: role('consumer', 'VIEWER'),
    input: (w) => ({ ...cons(w), side: 'consumer', subscriptionId: w.consumer.subscriptionId }),
  },
  'logs.list': { access: role('provider', 'VIEWER'), input: (w) => ({ ...provApi(w), side: 'provider' }) },
  'logs.get': {
    access: role('provider', 'VIEWER'),
    input: (w) => ({ ...prov(w), side: 'provider', id: w.provider.requestLogId }),
  },
  'logs.keys': { access: role('provider', 'VIEWER'), input: prov },
  'audit.list': { access: role('provider', 'ADMIN'), input: prov },
  'audit.get': { access: role('provider', 'ADMIN'), input: (w) => ({ ...prov(w), id: w.provider.auditId }) },
  'audit.facets': { access: role('provider', 'ADMIN'), input: prov },

  // management API tokens: OWNER/ADMIN (member.manage)
  'apiTokens.list': { access: role('provider', 'ADMIN'), input: prov },
  'apiTokens.create': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), name: uniq('token'), role: 'VIEWER', scopes: ['apis:read'] }),
  },
  'apiTokens.revoke': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), tokenId: w.provider.apiTokenId }),
  },

  // billing: the customer's invoices (any member), the provider's reports and settlement (ADMIN+)
  'alerts.list': { access: role('consumer', 'VIEWER'), input: cons },
  'alerts.options': { access: role('consumer', 'VIEWER'), input: cons },
  'alerts.create': {
    access: role('consumer', 'ADMIN'),
    input: (w) => ({
      ...cons(w),
      kind: 'SUBSCRIPTION_QUOTA',
      subscriptionId: w.consumer.subscriptionId,
      thresholds: [80, 100],
    }),
  },
  'alerts.delete': {
    access: role('consumer', 'ADMIN'),
    allowedMayBeRefused:
      'the world has no usage alert, so an allowed caller gets NOT_FOUND; usage-alerts tests cover the allowed path',
    input: (w) => ({ ...cons(w), alertId: uniq('alert') }),
  },
  'revenue.overview': { access: role('provider', 'ADMIN'), input: (w) => ({ ...prov(w), months: 3 }) },
  'billing.consumerOverview': { access: role('consumer', 'VIEWER'), input: cons },
  'billing.invoices': {
    access: role('consumer', 'VIEWER'),
    input: (w) => ({ ...cons(w), side: 'customer' }),
  },
  'billing.invoice': {
    access: role('consumer', 'VIEWER'),
    input: (w) => ({ ...cons(w), invoiceId: w.consumer.invoiceId }),
  },
  'billing.providerRevenue': { access: role('provider', 'ADMIN'), input: (w) => ({ ...prov(w), months: 3 }) },
  'billing.topConsumers': { access: role('provider', 'ADMIN'), input: (w) => ({ ...prov(w), days: 30 }) },
  'billing.unpaidInvoices': { access: role('provider', 'ADMIN'), input: prov },
  'billing.markPaid': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), invoiceId: w.consumer.invoiceId }),
  },
  'billing.void': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), invoiceId: w.consumer.invoiceId }),
  },
  'billing.planPricing': {
    access: role('provider', 'VIEWER'),
    input: (w) => ({ ...prov(w), planId: w.provider.planId }),
  },
  'billing.setPlanPricing': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), planId: w.provider.planId, pricing: { model: 'free' } }),
  },
  'billing.closePeriodsNow': { access: { kind: 'platformAdmin' }, input: noInput },

  // Stripe: the provider's account; the consumer's payment links
  'stripe.status': { access: role('provider', 'VIEWER'), input: prov },
  'stripe.connect': {
    access: role('provider', 'ADMIN'),
    input: (w) => ({ ...prov(w), secretKey: 'sk_test_notarealkey0000', webhookSecret: 'whsec_notreal0000' }),
  },
  'stripe.disconnect': {
    access: role('provider', 'ADMIN'),
    input: prov,
    // Disconnecting never decrypts the stored secrets: placeholders are enough.
    prepare: async (db, w) => {
      await db.stripeAccount.create({
        data: {
          orgId: w.provider.id,
          secretKeyEnc: 'sealed',
          webhookSecretEnc: 'sealed',
          secretKeyLast4: '0000',
        },
      });
    },
  },
  'stripe.consumerBilling': { access: role('consumer', 'VIEWER'), input: cons },
  'stripe.paymentSetupLink': {
    access: role('consumer', 'DEVELOPER'),
    allowedMayBeRefused: STRIPE_LINK_REASON,
    input: (w) => ({
      ...cons(w),
      providerOrgId: w.provider.id,
      successUrl: 'http://127.0.0.1:3000/billing',
      cancelUrl: 'http://127.0.0.1:3000/billing',
    }),
  },
  'stripe.billingPortalLink': {
    access: role('consumer', 'DEVELOPER'),
    allowedMayBeRefused: STRIPE_LINK_REASON,
    input: (w) => ({ ...cons(w), providerOrgId: w.provider.id, returnUrl: 'http://127.0.0.1:3000/billing' }),
  },

  ...AI_ACCESS_MATRIX,

  // operator
  'settings.amIAdmin': { access: SIGNED_IN, input: noInput },
  'settings.get': { access: { kind: 'platformAdmin' }, input: noInput },
  'settings.update': {
    access: { kind: 'platformAdmin' },
    input: (w) => ({ upstreamAllowedHosts: w.allowedHosts, requestLogRetentionDays: null }),
  },
};
