/*
 * Provider error messages are passed on to the gateway's consumers, who must never see anything of the
 * tenant's provider credentials. Providers quote keys back (OpenAI: "Incorrect API key provided:
 * sk-proj-****…MxYA", DeepSeek: "Your api key: ****abcd is invalid"), echo URLs with keys in the query
 * string, or Authorization values. Whatever looks like a key is replaced before a message leaves the
 * adapter; a 401/403 message is not passed on at all (errors.ts).
 */

const REDACTED = '[redacted]';

const QUOTED_CREDENTIALS: readonly [RegExp, string][] = [
  // Authorization header values
  [/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
  // key-carrying query parameters
  [/([?&](?:key|api[_-]?key|access[_-]?token|token|sig|signature)=)[^&\s"']+/gi, `$1${REDACTED}`],
];

const KEY_SHAPES: readonly [RegExp, string][] = [
  // keys by their well-known prefixes: sk-… (OpenAI, Anthropic's sk-ant-, DeepSeek), gsk_ (Groq), xai-, AIza (Google)
  [/\b(?:sk|rk|gsk|xai)[-_][A-Za-z0-9][A-Za-z0-9_.-]{6,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, REDACTED],
  // long opaque runs of letters and digits (Azure and Mistral keys are 32 such characters)
  [/\b(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{32,}\b/g, REDACTED],
];

const ASTERISKS = /\*{3,}/g;
const MASK_HEAD = /[A-Za-z0-9_\-.:/]/;
const MASK_TAIL = /[A-Za-z0-9_-]/;

/**
 * Masked fragments as providers quote a key back: the visible head, the asterisks, the visible tail.
 * Found from the asterisks outwards: the equivalent single pattern retries the head's character run from
 * each of its positions, quadratic in a long run (seconds for a 64 KiB error body a provider can send).
 */
function redactMasked(text: string): string {
  if (text.indexOf('***') === -1) return text;
  let out = '';
  let last = 0;
  for (const match of text.matchAll(ASTERISKS)) {
    let start = match.index;
    if (start < last) continue;
    while (start > last && MASK_HEAD.test(text.charAt(start - 1))) start--;
    let end = match.index + match[0].length;
    while (end < text.length && MASK_TAIL.test(text.charAt(end))) end++;
    out += text.slice(last, start) + REDACTED;
    last = end;
  }
  return out + text.slice(last);
}

/** The text with anything key-like replaced by "[redacted]". */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of QUOTED_CREDENTIALS) out = out.replace(pattern, replacement);
  out = redactMasked(out);
  for (const [pattern, replacement] of KEY_SHAPES) out = out.replace(pattern, replacement);
  return out;
}
