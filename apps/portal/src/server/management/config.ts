import { forbidden } from '@portcullis/core/errors';
import { type ApiTokenScope, scopeAllows } from '@portcullis/services/verbs/api-tokens';
import {
  applyConfig,
  type ConfigPermission,
  exportConfig,
  ZConfigApplyRequest,
} from '@portcullis/services/verbs/config-as-code/apply';
import { z } from 'zod';
import { can } from '../permissions';
import { endpoint, out, verbCtxOf } from './endpoint';

const ZFieldChange = out({ field: z.string(), before: z.unknown(), after: z.unknown() });
const ZConfigChangeOut = out({
  action: z.string(),
  kind: z.string(),
  name: z.string(),
  fields: z.array(ZFieldChange),
  permissions: z.array(z.string()),
});

/**
 * The scope a change needs besides config:write, as the same change through its own endpoint would:
 * APIs and their policies, lifecycle and documents are apis:write; plans and every price plans:write.
 */
const SCOPE_OF: Record<ConfigPermission, ApiTokenScope> = {
  'api.write': 'apis:write',
  'policy.write': 'apis:write',
  'api.lifecycle': 'apis:write',
  'plan.write': 'plans:write',
  'billing.manage': 'plans:write',
};

/** Documents carry every API's OpenAPI document: far above the other endpoints' bound. */
const MAX_CONFIG_BODY_BYTES = 20_000_000;

/** Configuration as code (`portcullis export` / `portcullis apply`): the org's APIs and plans as one document. */
export const CONFIG_ENDPOINTS = [
  endpoint({
    id: 'config.export',
    method: 'GET',
    path: '/config',
    summary: "Export the org's configuration (APIs, plans, policies, AI prices) as one document",
    scope: 'config:read',
    permission: 'api.read',
    output: out({ version: z.literal(1) }),
    handler: (ctx) => exportConfig(verbCtxOf(ctx)),
  }),
  endpoint({
    id: 'config.apply',
    method: 'POST',
    path: '/config/apply',
    summary:
      'Apply a configuration document in one transaction: the changes it makes (none when applied twice); dryRun shows them without making them',
    scope: 'config:write',
    permission: 'api.write',
    body: ZConfigApplyRequest,
    maxBodyBytes: MAX_CONFIG_BODY_BYTES,
    output: out({
      changes: z.array(ZConfigChangeOut),
      missingCredentials: z.array(z.unknown()),
      applied: z.boolean(),
    }),
    handler: (ctx, input) =>
      applyConfig(verbCtxOf(ctx), input.document, {
        dryRun: input.dryRun,
        prune: input.prune,
        // Each change needs its own permission (retiring an API needs api.lifecycle, prices billing.manage)
        // and the scope its own endpoint would need: config:write is no way around a token's scopes.
        authorize: (permissions) => {
          const missing = permissions.filter((permission) => !can(ctx.role, permission));
          if (missing.length > 0)
            throw forbidden(`This token's role cannot make these changes (needs ${missing.join(', ')})`);
          const scopes = [...new Set(permissions.map((permission) => SCOPE_OF[permission]))];
          const lacking = scopes.filter((scope) => !scopeAllows(ctx.scopes, scope));
          if (lacking.length > 0)
            throw forbidden(`This token lacks the scopes these changes need: ${lacking.join(', ')}`);
        },
      }),
  }),
];
