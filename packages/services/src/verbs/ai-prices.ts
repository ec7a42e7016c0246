import { ZDecimalString } from '@portcullis/core/billing/pricing';
import { conflict, notFound } from '@portcullis/core/errors';
import { ZId } from '@portcullis/core/schemas';
import type { Tx } from '@portcullis/db';
import { z } from 'zod';
import { parseOrBadRequest } from './ai-shared.ts';
import { inTransaction, isUniqueViolation, notifyConfig, type OrgCtx, writeAudit } from './context.ts';

/**
 * The tenant's price table: USD per million input/output tokens for one provider model, as exact
 * decimal strings. The gateway prices each call from it (costMicros in ai-config.ts).
 */

const ROW_TAKEN = 'This provider model already has a price';

const ZModelName = z
  .string()
  .trim()
  .min(1, 'Model is required')
  .max(120, 'At most 120 characters')
  .regex(/^[A-Za-z0-9._:/@-]+$/, 'letters, digits and . _ : / @ - only');

export const ZAiPriceSet = z.object({
  /** present: edit that row; absent: add a row */
  priceId: ZId.optional(),
  provider: z.string().trim().min(1, 'Provider is required').max(50, 'At most 50 characters'),
  model: ZModelName,
  inputPerMillion: ZDecimalString,
  outputPerMillion: ZDecimalString,
});
export type AiPriceSetInput = z.input<typeof ZAiPriceSet>;

export const ZAiPriceRef = z.object({ priceId: ZId });

const select = {
  id: true,
  provider: true,
  model: true,
  inputPerMillion: true,
  outputPerMillion: true,
  updatedAt: true,
} as const;

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
        ...(before
          ? {
              before: {
                provider: before.provider,
                model: before.model,
                inputPerMillion: before.inputPerMillion,
                outputPerMillion: before.outputPerMillion,
              },
            }
          : {}),
        after: data,
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
      before: {
        provider: row.provider,
        model: row.model,
        inputPerMillion: row.inputPerMillion,
        outputPerMillion: row.outputPerMillion,
      },
    });
    await notifyPrices(tx, row.id);
    return { id: row.id };
  });
}
