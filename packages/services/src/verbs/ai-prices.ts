import { MODALITIES } from '@portcullis/core/ai-config';
import { ZDecimalString } from '@portcullis/core/billing/pricing';
import { conflict, notFound } from '@portcullis/core/errors';
import { ZId } from '@portcullis/core/schemas';
import type { Tx } from '@portcullis/db';
import { z } from 'zod';
import { parseOrBadRequest } from './ai-shared.ts';
import { inTransaction, isUniqueViolation, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

/**
 * The tenant's price table: USD per million input/output tokens for one provider model, as exact
 * decimal strings, and optionally per generated image, per second of input audio and per call. The
 * gateway prices each call from it (costMicros in ai-config.ts, ai-unit-costs.ts) and GET /v1/models
 * shows the model's metadata from it (context window, output limit, modalities).
 */

const ROW_TAKEN = 'This provider model already has a price';

const ZModelName = z
  .string()
  .trim()
  .min(1, 'Model is required')
  .max(120, 'At most 120 characters')
  .regex(/^[A-Za-z0-9._:/@-]+$/, 'letters, digits and . _ : / @ - only');

const ZTokenCount = z
  .number({ error: 'A whole number of tokens' })
  .int('A whole number of tokens')
  .positive('More than 0')
  .max(100_000_000, 'At most 100,000,000');

const ZModalities = z
  .array(z.enum(MODALITIES, { error: `One of ${MODALITIES.join(', ')}` }))
  .max(MODALITIES.length)
  .refine((list) => new Set(list).size === list.length, 'Listed twice');

/**
 * The optional columns: on an edit, a field left out keeps its value and null clears it; the per-unit
 * prices are exact USD decimals like the token prices.
 */
export const ZAiPriceExtras = z.object({
  perImage: ZDecimalString.nullish(),
  perAudioSecond: ZDecimalString.nullish(),
  perCall: ZDecimalString.nullish(),
  contextWindow: ZTokenCount.nullish(),
  maxOutputTokens: ZTokenCount.nullish(),
  inputModalities: ZModalities.optional(),
  outputModalities: ZModalities.optional(),
});

export const ZAiPriceSet = z
  .object({
    /** present: edit that row; absent: add a row */
    priceId: ZId.optional(),
    provider: z.string().trim().min(1, 'Provider is required').max(50, 'At most 50 characters'),
    model: ZModelName,
    inputPerMillion: ZDecimalString,
    outputPerMillion: ZDecimalString,
  })
  .extend(ZAiPriceExtras.shape);
export type AiPriceSetInput = z.input<typeof ZAiPriceSet>;

export const ZAiPriceRef = z.object({ priceId: ZId });

const select = {
  id: true,
  provider: true,
  model: true,
  inputPerMillion: true,
  outputPerMillion: true,
  perImage: true,
  perAudioSecond: true,
  perCall: true,
  contextWindow: true,
  maxOutputTokens: true,
  inputModalities: true,
  outputModalities: true,
  updatedAt: true,
} as const;

const EXTRA_FIELDS = Object.keys(ZAiPriceExtras.shape) as (keyof z.output<typeof ZAiPriceExtras>)[];

/** What the audit row shows of a price row: every priced or stated field. */
type AuditedValue = string | number | readonly string[] | null;
function audited(row: { [field: string]: unknown }): Record<string, AuditedValue> {
  const fields = ['provider', 'model', 'inputPerMillion', 'outputPerMillion', ...EXTRA_FIELDS];
  return Object.fromEntries(
    fields.filter((f) => row[f] !== undefined).map((f) => [f, row[f] as AuditedValue]),
  );
}

async function notifyPrices(tx: Tx, id: string): Promise<void> {
  await notifyConfig(tx, { kind: 'aiPrice', id });
}

export async function listAiPrices(ctx: OrgCtx) {
  return ctx.db.aiModelPrice.findMany({
    where: { orgId: ctx.org.id },
    select,
    orderBy: [{ provider: 'asc' }, { model: 'asc' }],
  });
}

/** Adds a row, or edits `priceId` (which must be the org's). */
export async function setAiPrice(ctx: OrgCtx, raw: AiPriceSetInput) {
  const input = parseOrBadRequest(ZAiPriceSet, raw);
  const data = {
    provider: input.provider,
    model: input.model,
    inputPerMillion: input.inputPerMillion,
    outputPerMillion: input.outputPerMillion,
    ...Object.fromEntries(EXTRA_FIELDS.filter((f) => input[f] !== undefined).map((f) => [f, input[f]])),
  };
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const before = input.priceId
        ? await tx.aiModelPrice.findFirst({ where: { id: input.priceId, orgId: ctx.org.id }, select })
        : null;
      if (input.priceId && !before) throw notFound('Price');
      const row = before
        ? await tx.aiModelPrice.update({ where: { id: before.id }, data, select })
        : await tx.aiModelPrice.create({ data: { ...data, orgId: ctx.org.id }, select });
      await writeAudit(tx, ctx.actor, {
        orgId: ctx.org.id,
        action: before ? 'aiPrice.update' : 'aiPrice.create',
        targetType: 'AiModelPrice',
        targetId: row.id,
        ...(before ? { before: audited(before) } : {}),
        after: audited(row),
      });
      await notifyPrices(tx, row.id);
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(ROW_TAKEN, { model: ROW_TAKEN });
    throw error;
  }
}

export async function deleteAiPrice(ctx: OrgCtx, input: { priceId: string }) {
  return inTransaction(ctx.db, async (tx) => {
    const row = await tx.aiModelPrice.findFirst({ where: { id: input.priceId, orgId: ctx.org.id }, select });
    if (!row) throw notFound('Price');
    await tx.aiModelPrice.delete({ where: { id: row.id } });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'aiPrice.delete',
      targetType: 'AiModelPrice',
      targetId: row.id,
      before: audited(row),
    });
    await notifyPrices(tx, row.id);
    return { id: row.id };
  });
}
