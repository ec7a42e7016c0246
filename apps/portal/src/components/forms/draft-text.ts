import { z } from 'zod';

/**
 * Form drafts keep what the user typed (numbers and lists as text); these schemas turn that text into
 * the values the server's schemas check. A number that does not parse is a field error, never NaN.
 */

/** Non-empty trimmed lines; commas also separate entries when `commas` is set. */
export function lines(text: string, commas = false): string[] {
  return text
    .split(commas ? /[\n,]/ : /\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** `name: value` lines → record (the first colon separates; the value may contain colons). */
function parsePairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines(text)) {
    const colon = line.indexOf(':');
    if (colon === -1) out[line] = '';
    else out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

export function formatPairs(record: Record<string, string>): string {
  return Object.entries(record)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

/** A number or null/undefined as text: '' for a missing one. */
export const numberText = (value: number | null | undefined): string =>
  value === null || value === undefined ? '' : String(value);

const ENTER_A_NUMBER = 'Enter a number';

function parseNumber(text: string, ctx: z.RefinementCtx): number {
  const value = Number(text);
  if (!Number.isFinite(value)) {
    ctx.addIssue({ code: 'custom', message: ENTER_A_NUMBER });
    return z.NEVER;
  }
  return value;
}

/** Required number typed as text. */
export const zNumberText = z.string().transform((text, ctx) => {
  if (text.trim() === '') {
    ctx.addIssue({ code: 'custom', message: ENTER_A_NUMBER });
    return z.NEVER;
  }
  return parseNumber(text.trim(), ctx);
});

/** Optional number typed as text: '' → null (e.g. "unlimited"). */
export const zNullableNumberText = z
  .string()
  .transform((text, ctx) => (text.trim() === '' ? null : parseNumber(text.trim(), ctx)));

/** Optional number typed as text: '' → undefined (left out, so the server's default applies). */
export const zOptionalNumberText = z
  .string()
  .transform((text, ctx) => (text.trim() === '' ? undefined : parseNumber(text.trim(), ctx)));

/** One entry per line (and per comma when `commas`). */
export const zLinesText = (commas = false) => z.string().transform((text) => lines(text, commas));

/** `name: value` per line. */
export const zPairsText = z.string().transform(parsePairs);

/** Optional text: '' → undefined. */
export const zOptionalText = z.string().transform((text) => (text.trim() === '' ? undefined : text.trim()));

function parseJsonObject(text: string, ctx: z.RefinementCtx): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
    ctx.addIssue({ code: 'custom', message: 'A JSON Schema is a JSON object, e.g. {"type": "object", …}' });
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `Not valid JSON: ${error instanceof Error ? error.message : 'parse error'}`,
    });
  }
  return z.NEVER;
}

/** A JSON object typed as text (e.g. a JSON Schema). */
export const zJsonObjectText = z.string().transform(parseJsonObject);

/** An optional JSON object typed as text: '' → undefined. */
export const zOptionalJsonObjectText = z
  .string()
  .transform((text, ctx) => (text.trim() === '' ? undefined : parseJsonObject(text, ctx)));

/** Field messages of a failed parse, keyed by dotted path (the first message per field). */
function issueMessages(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.');
    if (!(field in out)) out[field] = issue.message;
  }
  return out;
}

export type DraftResult<T> = { ok: true; input: T } | { ok: false; errors: Record<string, string> };

/** Runs a draft through its form schema: the mutation's input, or field messages. */
export function parseDraft<T>(schema: z.ZodType<T>, draft: unknown): DraftResult<T> {
  const result = schema.safeParse(draft);
  return result.success
    ? { ok: true, input: result.data }
    : { ok: false, errors: issueMessages(result.error) };
}

/**
 * A form's schema: the draft's schema (text → values) piped into the schema the server parses the
 * mutation with. The draft's output must be what the server accepts (checked here, once).
 */
export function draftSchema<Draft, Values extends ServerInput, ServerInput, Input>(
  draft: z.ZodType<Values, Draft>,
  server: z.ZodType<Input, ServerInput>,
): z.ZodType<Input, Draft> {
  return draft.pipe(server as unknown as z.ZodType<Input, Values>);
}

/** Slugs typed as a list (commas or whitespace between them), lower-cased. */
export const slugList = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);
