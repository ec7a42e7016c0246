import { z } from 'zod';
import { MODALITIES } from './ai-config.ts';
import { ZDecimalString } from './billing/pricing.ts';
import { ZId } from './schemas.ts';

/** A row of the tenant's AI price table as the portal, the management API and config-as-code set it. */

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
