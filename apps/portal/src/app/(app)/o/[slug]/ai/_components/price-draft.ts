import { MODALITIES, type Modality } from '@portcullis/core/ai-config';
import { ZAiPriceSet } from '@portcullis/core/ai-prices';
import { z } from 'zod';
import { draftSchema, numberText, zNullableNumberText } from '../../../../../../components/forms/draft-text';

/** A price row as the price table lists it. */
export interface PriceRow {
  id: string;
  provider: string;
  model: string;
  inputPerMillion: string;
  outputPerMillion: string;
  perImage: string | null;
  perAudioSecond: string | null;
  perCall: string | null;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  inputModalities: string[];
  outputModalities: string[];
}

type ModalityChecks = Record<Modality, boolean>;

/** The add/edit form as typed: amounts and token counts as text (empty = not set), modalities as checks. */
export interface PriceDraft {
  provider: string;
  model: string;
  inputPerMillion: string;
  outputPerMillion: string;
  perImage: string;
  perAudioSecond: string;
  perCall: string;
  contextWindow: string;
  maxOutputTokens: string;
  inputModalities: ModalityChecks;
  outputModalities: ModalityChecks;
}

const checks = (list: readonly string[] = []): ModalityChecks =>
  Object.fromEntries(MODALITIES.map((m) => [m, list.includes(m)])) as ModalityChecks;

export function toPriceDraft(row?: PriceRow): PriceDraft {
  return {
    provider: row?.provider ?? 'openai',
    model: row?.model ?? '',
    inputPerMillion: row?.inputPerMillion ?? '',
    outputPerMillion: row?.outputPerMillion ?? '',
    perImage: row?.perImage ?? '',
    perAudioSecond: row?.perAudioSecond ?? '',
    perCall: row?.perCall ?? '',
    contextWindow: numberText(row?.contextWindow),
    maxOutputTokens: numberText(row?.maxOutputTokens),
    inputModalities: checks(row?.inputModalities),
    outputModalities: checks(row?.outputModalities),
  };
}

/** Optional amount typed as text: '' → null (cleared). */
const zNullableText = z.string().transform((text) => (text.trim() === '' ? null : text.trim()));

const zChecks = z
  .object({ text: z.boolean(), image: z.boolean(), audio: z.boolean() })
  .transform((c) => MODALITIES.filter((m) => c[m]));

/** Draft → the `ai.setPrice` input (without org and row id), checked by the server's schema. */
export const ZPriceForm = draftSchema(
  z.object({
    provider: z.string(),
    model: z.string(),
    inputPerMillion: z.string(),
    outputPerMillion: z.string(),
    perImage: zNullableText,
    perAudioSecond: zNullableText,
    perCall: zNullableText,
    contextWindow: zNullableNumberText,
    maxOutputTokens: zNullableNumberText,
    inputModalities: zChecks,
    outputModalities: zChecks,
  }),
  ZAiPriceSet.omit({ priceId: true }),
);

/** The per-unit prices of a row in one line ("$0.04 / image · $0.0001 / s"), or '—'. */
export function unitPrices(row: Pick<PriceRow, 'perImage' | 'perAudioSecond' | 'perCall'>): string {
  const parts = [
    row.perImage ? `$${row.perImage} / image` : null,
    row.perAudioSecond ? `$${row.perAudioSecond} / s audio` : null,
    row.perCall ? `$${row.perCall} / call` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : '—';
}
