import { randomBytes } from 'node:crypto';
import {
  BEDROCK_REGION_HEADER,
  bedrockRegion,
  isAwsRegion,
  parseAwsKeys,
} from '@portcullis/ai/providers/bedrock/credential';
import { parseServiceAccountKey } from '@portcullis/ai/providers/vertex/service-account';
import { providerCredentialContext, ZAiGatewayConfig, ZPromptConfig } from '@portcullis/core/ai-config';
import { encryptSecret } from '@portcullis/core/crypto';
import { badRequest, conflict, notFound } from '@portcullis/core/errors';
import { ZId } from '@portcullis/core/schemas';
import { checkUpstreamUrlResolved } from '@portcullis/core/ssrf';
import type { Tx } from '@portcullis/db';
import { z } from 'zod';
import { AI_PROVIDERS, aiProvider, parseOrBadRequest } from './ai-shared.ts';
import { ALLOW_LIST_HINT, loadUpstreamAllowedHosts } from './allow-list.ts';
import {
  inTransaction,
  isUniqueViolation,
  lockKey,
  notifyConfig,
  type OrgCtx,
  writeAudit,
} from './context.ts';

/**
 * A tenant's accounts at LLM providers. The secret is encrypted (AES-256-GCM, context
 * `provider-credential:<id>`, so a ciphertext copied to another row does not decrypt) and never leaves
 * this module: every read selects `secretHint` only.
 */

const NAME_TAKEN = 'A credential with this name already exists';
/** Headers that carry a key belong in the secret field, which is encrypted; headers are stored as is. */
const SECRET_HEADERS = new Set([
  'authorization',
  'api-key',
  'x-api-key',
  'x-goog-api-key',
  'proxy-authorization',
]);

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

/** Checked per entry (not as record keys) so each message lands on its header: `headers.<name>`. */
const ZHeaders = z
  .record(z.string(), z.string().max(1000, 'At most 1000 characters'))
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > 20) ctx.addIssue({ code: 'custom', message: 'At most 20 headers' });
    for (const name of names) {
      if (!HEADER_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'Not a valid header name' });
      } else if (SECRET_HEADERS.has(name.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'Put the key in the secret field (it is encrypted)',
        });
      }
    }
  })
  .default({});

const ZBaseUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((text) => {
    if (text === '') return true;
    try {
      const url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'Enter an http:// or https:// URL')
  .default('');

const ZCredentialFields = z.object({
  name: z.string().trim().min(1, 'Name is required').max(100, 'At most 100 characters'),
  baseUrl: ZBaseUrl,
  apiVersion: z.string().trim().max(50, 'At most 50 characters').default(''),
  headers: ZHeaders,
});

export const ZCredentialCreate = ZCredentialFields.extend({
  provider: z.enum(AI_PROVIDERS.map((p) => p.id) as [string, ...string[]], { error: 'Choose a provider' }),
  secret: z.string().trim().max(8000, 'At most 8000 characters').default(''),
});
export type CredentialCreateInput = z.input<typeof ZCredentialCreate>;

export const ZCredentialUpdate = ZCredentialFields.extend({
  credentialId: ZId,
  /** absent or empty: keep the stored secret */
  secret: z.string().trim().max(8000, 'At most 8000 characters').optional(),
});
export type CredentialUpdateInput = z.input<typeof ZCredentialUpdate>;

export const ZCredentialRef = z.object({ credentialId: ZId });

/** Every column but the secret. */
const publicSelect = {
  id: true,
  name: true,
  provider: true,
  baseUrl: true,
  apiVersion: true,
  headers: true,
  secretHint: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Random, URL-safe and known before the insert, so the encryption context can include it. */
const newCredentialId = () => `pc_${randomBytes(15).toString('base64url')}`;

/**
 * The last four characters, only when that leaves most of the secret unknown; for a service-account key
 * (JSON, whose tail is no secret and tells nothing) the account's email, which names it without revealing it.
 */
function hintOf(secret: string, providerId: string): string {
  if (aiProvider(providerId)?.secretKind === 'service-account') {
    const parsed = parseServiceAccountKey(secret);
    if (parsed.ok) return parsed.key.clientEmail.slice(0, 100);
  }
  return secret.length >= 12 ? secret.slice(-4) : '';
}

/** Regions are lowercase words and digits joined by dashes ("us-central1", "europe-west4", "global"). */
const REGION = /^[a-z][a-z0-9-]{1,40}$/;

/**
 * A service-account key must be a complete Google key, and its token_uri (tenant input the gateway will
 * call) passes the same SSRF check as an endpoint URL.
 */
async function checkServiceAccount(
  secret: string,
  allowedHosts: () => Promise<string[]>,
): Promise<string | null> {
  const parsed = parseServiceAccountKey(secret);
  if (!parsed.ok) return parsed.message;
  const check = await checkUpstreamUrlResolved(parsed.key.tokenUri, await allowedHosts());
  return check.ok ? null : `The key's token_uri: ${check.error.message}. ${ALLOW_LIST_HINT}`;
}

const sealSecret = (id: string, secret: string, key: Buffer) =>
  encryptSecret(secret, key, providerCredentialContext(id));

/** Gateways drop their cached credentials on this notification (sent in the transaction). */
async function notifyCredentials(tx: Tx, id: string): Promise<void> {
  await notifyConfig(tx, { kind: 'providerCredential', id });
}

/**
 * Bedrock: the secret must be AWS access keys, and a region must be set (or implied by an AWS endpoint
 * override); the region also names the default host, so only well-formed ones pass.
 */
function bedrockFieldErrors(
  data: { baseUrl: string; headers: Record<string, string> },
  secret: string | undefined,
): Record<string, string> {
  const fields: Record<string, string> = {};
  if (secret) {
    const keys = parseAwsKeys(secret);
    if ('error' in keys) fields.secret = keys.error;
  }
  const region = bedrockRegion({ baseUrl: data.baseUrl || undefined, headers: data.headers });
  const regionField = `headers.${BEDROCK_REGION_HEADER}`;
  if (!region) fields[regionField] = 'Enter the AWS region of your Bedrock models (e.g. us-east-1)';
  else if (!isAwsRegion(region)) fields[regionField] = 'Not an AWS region (e.g. us-east-1, eu-central-1)';
  return fields;
}

/** Provider-specific requirements and the SSRF guard on the endpoint (hosts allow-listed for this org exempt). */
async function checkEndpoint(
  ctx: OrgCtx,
  providerId: string,
  data: { baseUrl: string; apiVersion: string; headers: Record<string, string> },
  secret: string | undefined,
): Promise<void> {
  const info = aiProvider(providerId);
  const serviceAccount = info?.secretKind === 'service-account';
  const fields: Record<string, string> = providerId === 'bedrock' ? bedrockFieldErrors(data, secret) : {};
  let allowed: Promise<string[]> | undefined;
  const allowedHosts = () => {
    allowed ??= loadUpstreamAllowedHosts(ctx.db, ctx.org.id);
    return allowed;
  };
  if (info?.needsBaseUrl && !data.baseUrl) fields.baseUrl = `${info.name} needs the endpoint URL`;
  if (serviceAccount && !REGION.test(data.apiVersion)) {
    fields.apiVersion = `${info.name} needs a region such as us-central1 (or global)`;
  } else if (info?.needsApiVersion && !data.apiVersion) {
    fields.apiVersion = `${info.name} needs an api-version`;
  }
  if (secret !== undefined && !secret && !info?.secretOptional) {
    fields.secret = serviceAccount ? "Paste the service account's JSON key" : 'Paste the API key';
  } else if (secret && serviceAccount) {
    const problem = await checkServiceAccount(secret, allowedHosts);
    if (problem) fields.secret = problem;
  }
  if (data.baseUrl && !fields.baseUrl) {
    const check = await checkUpstreamUrlResolved(data.baseUrl, await allowedHosts());
    if (!check.ok) fields.baseUrl = `${check.error.message}. ${ALLOW_LIST_HINT}`;
  }
  if (Object.keys(fields).length > 0) throw badRequest('Check the highlighted fields', fields);
}

const auditView = (row: { name: string; provider: string; baseUrl: string | null; secretHint: string }) => ({
  name: row.name,
  provider: row.provider,
  baseUrl: row.baseUrl,
  secretHint: row.secretHint,
});

export async function listCredentials(ctx: OrgCtx) {
  return ctx.db.providerCredential.findMany({
    where: { orgId: ctx.org.id },
    select: publicSelect,
    orderBy: [{ name: 'asc' }],
  });
}

export async function createCredential(ctx: OrgCtx, raw: CredentialCreateInput, encryptionKey: Buffer) {
  const input = parseOrBadRequest(ZCredentialCreate, raw);
  await checkEndpoint(ctx, input.provider, input, input.secret);
  const id = newCredentialId();
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const row = await tx.providerCredential.create({
        data: {
          id,
          orgId: ctx.org.id,
          name: input.name,
          provider: input.provider,
          baseUrl: input.baseUrl || null,
          apiVersion: input.apiVersion || null,
          headers: input.headers,
          secretEncrypted: sealSecret(id, input.secret, encryptionKey),
          secretHint: hintOf(input.secret, input.provider),
        },
        select: publicSelect,
      });
      await writeAudit(tx, ctx.actor, {
        orgId: ctx.org.id,
        action: 'aiCredential.create',
        targetType: 'ProviderCredential',
        targetId: id,
        after: auditView(row),
      });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(NAME_TAKEN, { name: NAME_TAKEN });
    throw error;
  }
}

export async function updateCredential(ctx: OrgCtx, raw: CredentialUpdateInput, encryptionKey: Buffer) {
  const input = parseOrBadRequest(ZCredentialUpdate, raw);
  const before = await ctx.db.providerCredential.findFirst({
    where: { id: input.credentialId, orgId: ctx.org.id },
    select: publicSelect,
  });
  if (!before) throw notFound('Provider credential');
  const newSecret = input.secret ? input.secret : undefined;
  await checkEndpoint(ctx, before.provider, input, newSecret);
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const row = await tx.providerCredential.update({
        where: { id: before.id },
        data: {
          name: input.name,
          baseUrl: input.baseUrl || null,
          apiVersion: input.apiVersion || null,
          headers: input.headers,
          ...(newSecret
            ? {
                secretEncrypted: sealSecret(before.id, newSecret, encryptionKey),
                secretHint: hintOf(newSecret, before.provider),
              }
            : {}),
        },
        select: publicSelect,
      });
      await writeAudit(tx, ctx.actor, {
        orgId: ctx.org.id,
        action: newSecret ? 'aiCredential.rotate' : 'aiCredential.update',
        targetType: 'ProviderCredential',
        targetId: row.id,
        before: auditView(before),
        after: auditView(row),
      });
      await notifyCredentials(tx, row.id);
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(NAME_TAKEN, { name: NAME_TAKEN });
    throw error;
  }
}

/** A guardrail rule as stored, complete or not: moderation rules call a provider through a credential. */
type StoredRule = { type?: unknown; name?: unknown; credentialId?: unknown };
const storedRules = (list: unknown): StoredRule[] => (Array.isArray(list) ? (list as StoredRule[]) : []);

/**
 * Where an org's AI and prompt APIs use `credentialId`: "API (route …)" labels for model route targets and
 * "API (guardrail …)" labels for moderation rules (the API's own and its routes').
 */
async function credentialUsage(db: OrgCtx['db'], orgId: string, credentialId: string): Promise<string[]> {
  const apis = await db.api.findMany({
    where: { orgId, kind: { in: ['AI', 'PROMPT'] } },
    select: { name: true, kind: true, ai: true },
  });
  const uses: string[] = [];
  for (const api of apis) {
    const parsed = (api.kind === 'AI' ? ZAiGatewayConfig : ZPromptConfig).safeParse(api.ai);
    const routes = parsed.success
      ? parsed.data.routes
      : // an incomplete document still counts: look for the id wherever targets are
        ((api.ai as { routes?: Array<{ name?: string; targets?: Array<{ credentialId?: string }> }> })
          ?.routes ?? []);
    for (const route of routes) {
      if (route.targets?.some((t) => t.credentialId === credentialId)) {
        uses.push(`${api.name} (route ${route.name ?? '?'})`);
      }
    }
    const doc = (parsed.success ? parsed.data : api.ai) as { guardrails?: unknown } | null;
    const rules = [
      ...storedRules(doc?.guardrails),
      ...routes.flatMap((route) => storedRules((route as { guardrails?: unknown }).guardrails)),
    ];
    for (const rule of rules) {
      if (rule.type === 'moderation' && rule.credentialId === credentialId) {
        uses.push(`${api.name} (guardrail ${typeof rule.name === 'string' ? rule.name : '?'})`);
      }
    }
  }
  return uses;
}

/** Taken by a credential delete and by AI/prompt config saves, so a route cannot gain a deleted id. */
export const credentialLock = (orgId: string) => `ai-credentials:${orgId}`;

export async function deleteCredential(ctx: OrgCtx, input: { credentialId: string }) {
  return inTransaction(ctx.db, async (tx) => {
    await lockKey(tx, credentialLock(ctx.org.id));
    const row = await tx.providerCredential.findFirst({
      where: { id: input.credentialId, orgId: ctx.org.id },
      select: publicSelect,
    });
    if (!row) throw notFound('Provider credential');
    const uses = await credentialUsage(tx, ctx.org.id, row.id);
    if (uses.length > 0) {
      throw conflict(
        `"${row.name}" is still used by ${uses.join(', ')}. Remove it from those model routes and guardrails first.`,
      );
    }
    await tx.providerCredential.delete({ where: { id: row.id } });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'aiCredential.delete',
      targetType: 'ProviderCredential',
      targetId: row.id,
      before: auditView(row),
    });
    await notifyCredentials(tx, row.id);
    return { id: row.id };
  });
}
