import { badRequest, notFound } from '@portcullis/core/errors';
import { inTransaction, type OrgCtx, writeAudit } from '@portcullis/services/verbs/context';
import { z } from 'zod';
import { isLiveModeKey } from '../stripe/client.ts';
import { openStripeSecret, sealStripeSecret, stripeWebhookPath } from './credentials.ts';
import { resumeAfterPayment } from './suspension.ts';
import { checkStripeKey, type StripeKeyCheckOptions } from './verify-key.ts';

const DEFAULT_GRACE_DAYS = 3;
const MAX_GRACE_DAYS = 60;

const SECRET_KEY = /^(sk|rk)_(test|live)_[A-Za-z0-9]{8,}$/;
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/=_-]{8,}$/;

/** What the connect form sends. Messages never repeat the value (it is a secret). */
export const ZStripeConnect = z.object({
  secretKey: z
    .string({ error: 'Paste your Stripe secret key' })
    .trim()
    .superRefine((key, ctx) => {
      if (SECRET_KEY.test(key)) return;
      ctx.addIssue({
        code: 'custom',
        message: /^pk_/.test(key)
          ? 'This is a publishable key (pk_…); paste the secret key (sk_…) or a restricted key (rk_…)'
          : 'Paste a secret key (sk_test_… or sk_live_…) or a restricted key (rk_test_… or rk_live_…)',
      });
    }),
  webhookSecret: z
    .string({ error: 'Paste the webhook signing secret' })
    .trim()
    .regex(WEBHOOK_SECRET, { error: 'Paste the signing secret of your webhook endpoint (whsec_…)' }),
  graceDays: z
    .number({ error: 'Enter a number of days' })
    .int({ error: 'Enter a whole number of days' })
    .min(0, { error: `Between 0 and ${MAX_GRACE_DAYS} days` })
    .max(MAX_GRACE_DAYS, { error: `Between 0 and ${MAX_GRACE_DAYS} days` })
    .default(DEFAULT_GRACE_DAYS),
});
export type StripeConnectInput = z.input<typeof ZStripeConnect>;

export interface StripeConnection {
  last4: string;
  livemode: boolean;
  graceDays: number;
  /** append to the portal's public URL and paste into Stripe's webhook endpoint settings */
  webhookPath: string;
}

function parseConnect(input: StripeConnectInput) {
  const parsed = ZStripeConnect.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join('.');
    if (field && !(field in fields)) fields[field] = issue.message;
  }
  throw badRequest('Check the highlighted fields', fields);
}

function sameSecret(orgId: string, sealed: string, plaintext: string, key: Buffer): boolean {
  try {
    return openStripeSecret(orgId, 'secretKey', sealed, key) === plaintext;
  } catch {
    return false;
  }
}

/**
 * Stores (or replaces) the provider's Stripe credentials, encrypted, once Stripe has accepted the key
 * (a key Stripe refuses is a 400 on the key's field, Stripe out of reach a 503; nothing is stored
 * either way); only the last 4 characters of the key are ever readable again. A new or changed key may point at another Stripe account or mode, so the
 * plan catalogs are marked for re-verification: the next sync probes every recorded id and recreates
 * what this account does not have, instead of trusting ids from the old one.
 */
export async function connectStripe(
  ctx: OrgCtx,
  input: StripeConnectInput,
  encryptionKey: Buffer,
  stripe: StripeKeyCheckOptions = {},
): Promise<StripeConnection> {
  const data = parseConnect(input);
  await checkStripeKey(data.secretKey, stripe);
  const orgId = ctx.org.id;
  const fields = {
    secretKeyEnc: sealStripeSecret(orgId, 'secretKey', data.secretKey, encryptionKey),
    webhookSecretEnc: sealStripeSecret(orgId, 'webhookSecret', data.webhookSecret, encryptionKey),
    secretKeyLast4: data.secretKey.slice(-4),
    livemode: isLiveModeKey(data.secretKey),
    graceDays: data.graceDays,
  };
  return inTransaction(ctx.db, async (tx) => {
    const before = await tx.stripeAccount.findUnique({ where: { orgId } });
    await tx.stripeAccount.upsert({ where: { orgId }, create: { orgId, ...fields }, update: fields });
    // Also on a fresh connect: ids recorded before a disconnect may belong to another account.
    if (!before || !sameSecret(orgId, before.secretKeyEnc, data.secretKey, encryptionKey)) {
      await tx.stripePlanPrice.updateMany({
        where: { plan: { api: { orgId } } },
        data: { pricingHash: '' },
      });
    }
    const summary = { last4: fields.secretKeyLast4, livemode: fields.livemode, graceDays: fields.graceDays };
    await writeAudit(tx, ctx.actor, {
      orgId,
      action: before ? 'stripe.update' : 'stripe.connect',
      targetType: 'StripeAccount',
      targetId: orgId,
      ...(before
        ? {
            before: {
              last4: before.secretKeyLast4,
              livemode: before.livemode,
              graceDays: before.graceDays,
            },
          }
        : {}),
      after: summary,
    });
    return { ...summary, webhookPath: stripeWebhookPath(orgId) };
  });
}

/**
 * Forgets the credentials: from now on invoices are local only. Consumers suspended for an unpaid
 * Stripe invoice are resumed (nothing could ever lift that suspension again) and delinquency is cleared.
 * Objects in Stripe are left alone; their ids stay recorded for a later reconnect to the same account.
 */
export async function disconnectStripe(ctx: OrgCtx): Promise<{ resumedSubscriptions: number }> {
  const orgId = ctx.org.id;
  return inTransaction(ctx.db, async (tx) => {
    const before = await tx.stripeAccount.findUnique({ where: { orgId } });
    if (!before) throw notFound('Stripe connection');
    await tx.stripeAccount.delete({ where: { orgId } });
    await tx.stripeCustomer.updateMany({
      where: { providerOrgId: orgId, delinquentSince: { not: null } },
      data: { delinquentSince: null },
    });
    const resumed = await resumeAfterPayment(tx, { providerOrgId: orgId }, ctx.actor.id, {
      by: 'stripe.disconnect',
    });
    await writeAudit(tx, ctx.actor, {
      orgId,
      action: 'stripe.disconnect',
      targetType: 'StripeAccount',
      targetId: orgId,
      before: { last4: before.secretKeyLast4, livemode: before.livemode, graceDays: before.graceDays },
      after: { resumedSubscriptions: resumed.length },
    });
    return { resumedSubscriptions: resumed.length };
  });
}

export type StripeStatus =
  /** the webhook endpoint is shown before connecting: Stripe's signing secret comes from adding it */
  | { connected: false; webhookPath: string }
  | (StripeConnection & {
      connected: true;
      connectedAt: Date;
      updatedAt: Date;
      customers: number;
      customersWithPaymentMethod: number;
      delinquentCustomers: number;
      /** usage recorded for Stripe and not yet accepted by it */
      unsentUsagePushes: number;
    });

/** What members of the provider org may see: never a secret, only the key's last 4 characters. */
export async function stripeStatus(ctx: OrgCtx): Promise<StripeStatus> {
  const orgId = ctx.org.id;
  const account = await ctx.db.stripeAccount.findUnique({
    where: { orgId },
    select: { secretKeyLast4: true, livemode: true, graceDays: true, connectedAt: true, updatedAt: true },
  });
  if (!account) return { connected: false, webhookPath: stripeWebhookPath(orgId) };
  const customers = { providerOrgId: orgId };
  const [total, withMethod, delinquent, unsent] = await Promise.all([
    ctx.db.stripeCustomer.count({ where: customers }),
    ctx.db.stripeCustomer.count({ where: { ...customers, hasPaymentMethod: true } }),
    ctx.db.stripeCustomer.count({ where: { ...customers, delinquentSince: { not: null } } }),
    ctx.db.$queryRaw<Array<{ count: bigint }>>`
      SELECT count(*)::bigint AS count FROM "StripeMeterPush" p
      JOIN "Subscription" s ON s.id = p."subscriptionId"
      JOIN "Plan" pl ON pl.id = s."planId"
      JOIN "Api" a ON a.id = pl."apiId"
      WHERE a."orgId" = ${orgId} AND p."sentAt" IS NULL`,
  ]);
  return {
    connected: true,
    last4: account.secretKeyLast4,
    livemode: account.livemode,
    graceDays: account.graceDays,
    webhookPath: stripeWebhookPath(orgId),
    connectedAt: account.connectedAt,
    updatedAt: account.updatedAt,
    customers: total,
    customersWithPaymentMethod: withMethod,
    delinquentCustomers: delinquent,
    unsentUsagePushes: Number(unsent[0]?.count ?? 0n),
  };
}
