/*
 * Provider error messages are passed on to the gateway's consumers, who must never see anything of the
 * tenant's provider credentials. Providers quote keys back (OpenAI: "Incorrect API key provided:
 * sk-proj-****…MxYA", DeepSeek: "Your api key: ****abcd is invalid"), echo URLs with keys in the query
 * string, or Authorization values. Whatever looks like a key is replaced before a message leaves the
 * adapter; a 401/403 message is not passed on at all (errors.ts).
 */

const REDACTED = '[redacted]';

const KEY_LIKE: readonly [RegExp, string][] = [
  // Authorization header values
  [/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
  // key-carrying query parameters
  [/([?&](?:key|api[_-]?key|access[_-]?token|token|sig|signature)=)[^&\s"']+/gi, `$1${REDACTED}`],
  // masked fragments as providers quote a key back: the visible head, the asterisks, the visible tail
  [/[A-Za-z0-9_\-.:/]*\*{3,}[A-Za-z0-9_-]*/g, REDACTED],
  // keys by their well-known prefixes: sk-… (OpenAI, Anthropic's sk-ant-, DeepSeek), gsk_ (Groq), xai-, AIza (Google)
  [/\b(?:sk|rk|gsk|xai)[-_][A-Za-z0-9][A-Za-z0-9_.-]{6,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, REDACTED],
  // long opaque runs of letters and digits (Azure and Mistral keys are 32 such characters)
  [/\b(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{32,}\b/g, REDACTED],
];

/** The text with anything key-like replaced by "[redacted]". */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of KEY_LIKE) out = out.replace(pattern, replacement);
  return out;
}
