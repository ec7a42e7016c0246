import type { Db } from '@portcullis/db';
import type { ApiTokenScope } from '@portcullis/services/verbs/api-tokens';
import { uniq } from '../../../../../../test/fixtures';
import type { TenantWorld } from '../../security/test/world';

interface CaseRequest {
  path: string;
  query?: Record<string, string>;
  body?: unknown;
}

/**
 * How the matrix calls one endpoint: which org of the world owns what it touches, and a valid request
 * naming that org's resources (made on a fresh world, so it may change state).
 */
export interface EndpointCase {
  side: 'provider' | 'consumer';
  /** scopes the request needs besides the endpoint's own (config.apply: those of the changes it makes) */
  extraScopes?: ApiTokenScope[];
  request: (world: TenantWorld, db: Db) => CaseRequest | Promise<CaseRequest>;
}

const SPEC = JSON.stringify({
  openapi: '3.0.3',
  info: { title: 'Weather', version: 'v2' },
  paths: { '/forecast': { get: { responses: { '200': { description: 'ok' } } } } },
});
/** The world's API as a prompt API with a saved working copy and version 1 published. */
async function promptApi(w: TenantWorld, db: Db): Promise<string> {
  const config = {
    model: 'fast',
    routes: [{ name: 'fast', targets: [{ credentialId: w.provider.credentialId, model: 'gpt-4o-mini' }] }],
    user: 'Summarise: {{text}}',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
  };
  await db.api.update({ where: { id: w.provider.apiId }, data: { kind: 'PROMPT', ai: config } });
  await db.promptVersion.create({
    data: { apiId: w.provider.apiId, orgId: w.provider.id, number: 1, config },
  });
  return w.provider.apiId;
}
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** One entry per endpoint id; the matrix fails for an endpoint without one. */
export const ENDPOINT_CASES: Record<string, EndpointCase> = {
  'apis.list': { side: 'provider', request: () => ({ path: '/apis' }) },
  'apis.get': { side: 'provider', request: (w) => ({ path: `/apis/${w.provider.apiId}` }) },
  'apis.create': {
    side: 'provider',
    request: () => ({
      path: '/apis',
      body: { name: 'Made by a token', slug: uniq('tok'), upstreamUrl: 'http://127.0.0.1:9/upstream' },
    }),
  },
  'apis.update': {
    side: 'provider',
    request: (w) => ({
      path: `/apis/${w.provider.apiId}`,
      body: { name: 'Renamed', description: 'New words', tags: ['weather'], visibility: 'PUBLIC' },
    }),
  },
  'apis.publish': {
    side: 'provider',
    request: async (w, db) => {
      const draft = await db.api.create({
        data: {
          orgId: w.provider.id,
          slug: uniq('draft'),
          name: 'Draft',
          upstreamUrl: 'http://127.0.0.1:9/u',
        },
      });
      await db.plan.create({ data: { apiId: draft.id, name: 'Free', requiresApproval: false } });
      return { path: `/apis/${draft.id}/publish` };
    },
  },
  'apis.deprecate': {
    side: 'provider',
    request: (w) => ({
      path: `/apis/${w.provider.apiId}/deprecate`,
      body: { sunsetAt: inDays(30), message: 'Move to v2' },
    }),
  },
  'apis.retire': {
    side: 'provider',
    request: (w) => ({ path: `/apis/${w.provider.apiId}/retire`, body: { confirmSlug: w.provider.apiSlug } }),
  },
  'apis.setOpenApi': {
    side: 'provider',
    request: (w) => ({ path: `/apis/${w.provider.apiId}/openapi`, body: { document: SPEC } }),
  },
  'apis.promptVersions': {
    side: 'provider',
    request: async (w, db) => ({
      path: `/apis/${await promptApi(w, db)}/prompt/versions`,
      query: { limit: '20' },
    }),
  },
  'apis.publishPromptVersion': {
    side: 'provider',
    request: async (w, db) => ({
      path: `/apis/${await promptApi(w, db)}/prompt/versions`,
      body: { note: 'from a token' },
    }),
  },
  'apis.setPromptRelease': {
    side: 'provider',
    request: async (w, db) => ({
      path: `/apis/${await promptApi(w, db)}/prompt/release`,
      body: { release: { versionA: 1 } },
    }),
  },
  'plans.list': { side: 'provider', request: (w) => ({ path: `/apis/${w.provider.apiId}/plans` }) },
  'plans.create': {
    side: 'provider',
    request: (w) => ({ path: `/apis/${w.provider.apiId}/plans`, body: { name: 'Pro', rateLimit: 100 } }),
  },
  'plans.update': {
    side: 'provider',
    request: (w) => ({
      path: `/plans/${w.provider.planId}`,
      body: {
        rateLimit: 20,
        rateLimitWindowSeconds: 60,
        monthlyQuota: null,
        requiresApproval: false,
        limits: [],
      },
    }),
  },
  'plans.archive': { side: 'provider', request: (w) => ({ path: `/plans/${w.provider.planId}/archive` }) },
  'plans.getPricing': { side: 'provider', request: (w) => ({ path: `/plans/${w.provider.planId}/pricing` }) },
  'plans.setPricing': {
    side: 'provider',
    request: (w) => ({
      path: `/plans/${w.provider.planId}/pricing`,
      body: { pricing: { model: 'flat', flatFee: '10', currency: 'usd' } },
    }),
  },
  'subscriptions.pending': { side: 'provider', request: () => ({ path: '/subscriptions/pending' }) },
  'subscriptions.listForApi': {
    side: 'provider',
    request: (w) => ({ path: `/apis/${w.provider.apiId}/subscriptions` }),
  },
  'subscriptions.approve': {
    side: 'provider',
    request: (w) => ({ path: `/subscriptions/${w.consumer.pendingSubscriptionId}/approve` }),
  },
  'subscriptions.reject': {
    side: 'provider',
    request: (w) => ({
      path: `/subscriptions/${w.consumer.pendingSubscriptionId}/reject`,
      body: { reason: 'Not a fit' },
    }),
  },
  'subscriptions.suspend': {
    side: 'provider',
    request: (w) => ({ path: `/subscriptions/${w.consumer.subscriptionId}/suspend` }),
  },
  'subscriptions.resume': {
    side: 'provider',
    request: async (w, db) => {
      await db.subscription.update({
        where: { id: w.consumer.subscriptionId },
        data: { status: 'SUSPENDED' },
      });
      return { path: `/subscriptions/${w.consumer.subscriptionId}/resume` };
    },
  },
  'apps.list': { side: 'consumer', request: () => ({ path: '/apps' }) },
  'apps.get': { side: 'consumer', request: (w) => ({ path: `/apps/${w.consumer.appId}` }) },
  'apps.create': { side: 'consumer', request: () => ({ path: '/apps', body: { name: uniq('app') } }) },
  'apps.subscriptions': {
    side: 'consumer',
    request: (w) => ({ path: `/apps/${w.consumer.appId}/subscriptions` }),
  },
  'apps.cancelSubscription': {
    side: 'consumer',
    request: (w) => ({ path: `/subscriptions/${w.consumer.subscriptionId}/cancel` }),
  },
  'keys.list': { side: 'consumer', request: (w) => ({ path: `/apps/${w.consumer.appId}/keys` }) },
  'keys.create': {
    side: 'consumer',
    request: (w) => ({ path: `/apps/${w.consumer.appId}/keys`, body: { name: 'ci', expiresAt: inDays(10) } }),
  },
  'keys.rotate': {
    side: 'consumer',
    request: (w) => ({ path: `/keys/${w.consumer.keyId}/rotate`, body: { graceSeconds: 3600 } }),
  },
  'keys.revoke': { side: 'consumer', request: (w) => ({ path: `/keys/${w.consumer.keyId}/revoke` }) },
  'members.list': { side: 'provider', request: () => ({ path: '/members' }) },
  'members.changeRole': {
    side: 'provider',
    request: (w) => ({ path: `/members/${w.provider.bystanderId}`, body: { role: 'DEVELOPER' } }),
  },
  'members.remove': { side: 'provider', request: (w) => ({ path: `/members/${w.provider.bystanderId}` }) },
  'invitations.list': { side: 'provider', request: () => ({ path: '/invitations' }) },
  'invitations.create': {
    side: 'provider',
    request: () => ({ path: '/invitations', body: { email: `${uniq('new')}@example.test`, role: 'VIEWER' } }),
  },
  'invitations.revoke': {
    side: 'provider',
    request: (w) => ({ path: `/invitations/${w.provider.invitationId}` }),
  },
  'usage.subscription': {
    side: 'consumer',
    request: (w) => ({ path: `/usage/subscriptions/${w.consumer.subscriptionId}` }),
  },
  'invoices.list': { side: 'consumer', request: () => ({ path: '/invoices' }) },
  'invoices.get': { side: 'consumer', request: (w) => ({ path: `/invoices/${w.consumer.invoiceId}` }) },
  'logs.list': { side: 'provider', request: () => ({ path: '/logs', query: { side: 'provider' } }) },
  'logs.get': {
    side: 'provider',
    request: (w) => ({ path: `/logs/${w.provider.requestLogId}`, query: { side: 'provider' } }),
  },
  'config.export': { side: 'provider', request: () => ({ path: '/config' }) },
  'config.apply': {
    side: 'provider',
    extraScopes: ['apis:write', 'plans:write'],
    request: () => ({
      path: '/config/apply',
      body: {
        document: {
          version: 1,
          apis: [
            {
              slug: uniq('cfg'),
              name: 'From a file',
              upstreamUrl: 'http://127.0.0.1:9/u',
              plans: [{ name: 'Free', requiresApproval: false }],
            },
          ],
        },
      },
    }),
  },
};
