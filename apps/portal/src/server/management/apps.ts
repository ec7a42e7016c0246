import { ZAppCreate } from '@portcullis/core/schemas';
import { createApp, getApp, listApps } from '@portcullis/services/verbs/app';
import { createKey, listKeys, revokeKey, rotateKey, ZKeyRotate } from '@portcullis/services/verbs/key';
import { cancelSubscription, listMySubscriptions } from '@portcullis/services/verbs/subscription';
import { z } from 'zod';
import { endpoint, out, verbCtxOf, ZIsoDateTime } from './endpoint';

const ZId = z.string().min(1).max(64);
const ZAppParams = z.object({ appId: ZId });
const ZKeyParams = z.object({ keyId: ZId });
const ZAppOut = out({ id: z.string(), name: z.string() });
const ZKeyOut = out({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  last4: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
/** A key just made: the plaintext is in this answer once and never again. */
const ZNewKeyOut = out({ key: ZKeyOut, plaintext: z.string() });
const ZExpiry = ZIsoDateTime.nullable().default(null);

export const APP_ENDPOINTS = [
  endpoint({
    id: 'apps.list',
    method: 'GET',
    path: '/apps',
    summary: "List the org's apps",
    scope: 'apps:read',
    permission: 'app.read',
    output: z.array(ZAppOut),
    handler: (ctx) => listApps(verbCtxOf(ctx)),
  }),
  endpoint({
    id: 'apps.get',
    method: 'GET',
    path: '/apps/{appId}',
    summary: 'Get an app',
    scope: 'apps:read',
    permission: 'app.read',
    params: ZAppParams,
    output: ZAppOut,
    handler: (ctx, input) => getApp(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'apps.create',
    method: 'POST',
    path: '/apps',
    summary: 'Create an app',
    scope: 'apps:write',
    permission: 'app.write',
    body: ZAppCreate,
    output: ZAppOut,
    status: 201,
    handler: (ctx, input) => createApp(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'apps.subscriptions',
    method: 'GET',
    path: '/apps/{appId}/subscriptions',
    summary: "An app's subscriptions",
    scope: 'apps:read',
    permission: 'subscription.read',
    params: ZAppParams,
    output: z.array(out({ id: z.string(), status: z.string() })),
    // The app is looked up first so another org's app id answers 404, not an empty list.
    handler: async (ctx, input) => {
      const app = await getApp(verbCtxOf(ctx), input);
      return listMySubscriptions(verbCtxOf(ctx), { appId: app.id });
    },
  }),
  endpoint({
    id: 'apps.cancelSubscription',
    method: 'POST',
    path: '/subscriptions/{subscriptionId}/cancel',
    summary: "Cancel one of the org's apps' subscriptions",
    scope: 'apps:write',
    permission: 'subscription.create',
    params: z.object({ subscriptionId: ZId }),
    output: out({ id: z.string(), status: z.string() }),
    handler: (ctx, input) => cancelSubscription(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'keys.list',
    method: 'GET',
    path: '/apps/{appId}/keys',
    summary: "An app's keys (never the key itself)",
    scope: 'apps:read',
    permission: 'key.read',
    params: ZAppParams,
    output: z.array(ZKeyOut),
    handler: (ctx, input) => listKeys(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'keys.create',
    method: 'POST',
    path: '/apps/{appId}/keys',
    summary: 'Create a key for an app; the key is shown once',
    scope: 'apps:write',
    permission: 'key.write',
    params: ZAppParams,
    body: z.object({ name: z.string().trim().min(1).max(100), expiresAt: ZExpiry }),
    output: ZNewKeyOut,
    status: 201,
    handler: (ctx, input) => createKey(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'keys.rotate',
    method: 'POST',
    path: '/keys/{keyId}/rotate',
    summary: 'Replace a key; the old one works for the grace period',
    scope: 'apps:write',
    permission: 'key.write',
    params: ZKeyParams,
    body: ZKeyRotate.omit({ keyId: true }).extend({ expiresAt: ZExpiry }),
    output: ZNewKeyOut,
    handler: (ctx, input) => rotateKey(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'keys.revoke',
    method: 'POST',
    path: '/keys/{keyId}/revoke',
    summary: 'Revoke a key',
    scope: 'apps:write',
    permission: 'key.write',
    params: ZKeyParams,
    output: ZKeyOut,
    handler: (ctx, input) => revokeKey(verbCtxOf(ctx), input),
  }),
];
