import type { ApiPolicies, HeaderTransform } from '@portcullis/core/policies';
import { ZApiPoliciesUpdate } from '@portcullis/core/schemas';
import { z } from 'zod';
import {
  draftSchema,
  formatPairs,
  zLinesText,
  zNumberText,
  zPairsText,
} from '../../../../../../../../components/forms/draft-text';

/** The policies form's draft (lists and numbers as typed) to and from an API's policy document. */

interface HeaderDraft {
  add: string;
  remove: string;
  rename: string;
}

export interface PoliciesDraft {
  ipAllow: string;
  ipDeny: string;
  cors: {
    enabled: boolean;
    allowOrigins: string;
    allowMethods: string[];
    allowHeaders: string;
    exposeHeaders: string;
    allowCredentials: boolean;
    maxAgeSeconds: string;
  };
  maxBodyBytes: string;
  maxHeaderCount: string;
  maxHeaderBytes: string;
  validateRequests: boolean;
  requestHeaders: HeaderDraft;
  responseHeaders: HeaderDraft;
  allowedMethods: string[];
  cache: { enabled: boolean; ttlSeconds: string; public: boolean };
  redisFailureMode: ApiPolicies['redisFailureMode'];
}

const headerDraft = (t: HeaderTransform): HeaderDraft => ({
  add: formatPairs(t.add),
  remove: t.remove.join('\n'),
  rename: formatPairs(t.rename),
});

export function toPoliciesDraft(p: ApiPolicies): PoliciesDraft {
  return {
    ipAllow: p.ipAllow.join('\n'),
    ipDeny: p.ipDeny.join('\n'),
    cors: {
      enabled: p.cors.enabled,
      allowOrigins: p.cors.allowOrigins.join('\n'),
      allowMethods: p.cors.allowMethods,
      allowHeaders: p.cors.allowHeaders.join(', '),
      exposeHeaders: p.cors.exposeHeaders.join(', '),
      allowCredentials: p.cors.allowCredentials,
      maxAgeSeconds: String(p.cors.maxAgeSeconds),
    },
    maxBodyBytes: String(p.maxBodyBytes),
    maxHeaderCount: String(p.maxHeaderCount),
    maxHeaderBytes: String(p.maxHeaderBytes),
    validateRequests: p.validateRequests,
    requestHeaders: headerDraft(p.requestHeaders),
    responseHeaders: headerDraft(p.responseHeaders),
    allowedMethods: p.allowedMethods,
    cache: { enabled: p.cache.enabled, ttlSeconds: String(p.cache.ttlSeconds), public: p.cache.public },
    redisFailureMode: p.redisFailureMode,
  };
}

const ZHeaderDraft = z.object({ add: zPairsText, remove: zLinesText(true), rename: zPairsText });

/** Draft → the `policy.updatePolicies` input (without org and API), checked by the server's schema. */
export const ZPoliciesForm = draftSchema(
  z.object({
    ipAllow: zLinesText(),
    ipDeny: zLinesText(),
    cors: z.object({
      enabled: z.boolean(),
      allowOrigins: zLinesText(),
      allowMethods: z.array(z.string()),
      allowHeaders: zLinesText(true),
      exposeHeaders: zLinesText(true),
      allowCredentials: z.boolean(),
      maxAgeSeconds: zNumberText,
    }),
    maxBodyBytes: zNumberText,
    maxHeaderCount: zNumberText,
    maxHeaderBytes: zNumberText,
    validateRequests: z.boolean(),
    requestHeaders: ZHeaderDraft,
    responseHeaders: ZHeaderDraft,
    allowedMethods: z.array(z.string()),
    cache: z.object({ enabled: z.boolean(), ttlSeconds: zNumberText, public: z.boolean() }),
    redisFailureMode: z.enum(['allow', 'deny', 'local']),
  }),
  ZApiPoliciesUpdate.omit({ apiId: true }),
);
