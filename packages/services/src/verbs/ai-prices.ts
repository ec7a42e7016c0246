import { ZAiPriceExtras, ZAiPriceSet } from '@portcullis/core/ai-prices';
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

export { ZAiPriceExtras, ZAiPriceSet };

const ROW_TAKEN = 'This provider model already has a price';

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
