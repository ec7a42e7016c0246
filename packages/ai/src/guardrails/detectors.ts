import type { PiiKind } from '@portcullis/core/ai-guardrails';
import { RE2JS } from 're2js';

/*
 * Built-in detectors of personal data and secrets. Candidates are found on RE2 (linear time in the
 * text, as every pattern the gateway runs on consumer text) and then confirmed in code where a checksum
 * exists: card numbers by Luhn, IBANs by ISO 13616 mod-97. Phone numbers need a `+` or separators
 * (a bare run of digits is an order number as often as a phone number).
 */

/** A match: [start, end) in the text and what replaces it when redacted. */
export interface Span {
  start: number;
  end: number;
  label: string;
}

/** Matches per detector and text beyond which the rest is not looked at (the text is bounded anyway). */
export const MAX_MATCHES = 1_000;

const compile = (source: string, flags = 0): RE2JS => RE2JS.compile(source, flags);

const EMAIL = compile(
  "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\\.[A-Za-z]{2,24}",
);

const PHONE = compile(
  [
    // E.164 and international numbers with separators: +14155552671, +44 20 7946 0958, +1 (415) 555-2671
    '\\+[1-9][0-9]{0,3}(?:[ .-]?\\(?[0-9]{1,5}\\)?){1,6}',
    // North American: (415) 555-2671, 415-555-2671, 415.555.2671
    '\\([0-9]{3}\\) ?[0-9]{3}[ .-][0-9]{4}',
    '[0-9]{3}[.-][0-9]{3}[.-][0-9]{4}',
    // trunk-prefixed national numbers in groups: 020 7946 0958, 01 23 45 67 89, 030-1234567
    '0[0-9]{1,4}(?:[ .-][0-9]{2,8}){1,4}',
  ].join('|'),
);

const CARD = compile('[0-9](?:[ -]?[0-9]){12,18}');

const IBAN = compile('[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}');

const SECRET = compile(
  [
    // OpenAI / Anthropic style keys (sk-…, sk-proj-…, sk-ant-…)
    'sk-[A-Za-z0-9_-]{20,}',
    // Stripe-style and Portcullis keys: pk_live_…, sk_test_…, rk_live_…
    '(?:pk|sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}',
    // AWS access key ids
    '(?:AKIA|ASIA)[0-9A-Z]{16}',
    // GitHub tokens
    'gh[pousr]_[A-Za-z0-9]{36,}',
    'github_pat_[A-Za-z0-9_]{22,}',
    // Slack tokens
    'xox[abposr]-[A-Za-z0-9-]{10,}',
    // JSON Web Tokens
    'eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}',
    // PEM private keys: the header, the base64 body and the footer when present
    '-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----[A-Za-z0-9+/=\\s]*(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----)?',
  ].join('|'),
);

const isDigit = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '9';
const isWordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
const digitsOf = (text: string) => text.replace(/[^0-9]/g, '');

/** Luhn (mod 10) over a digit string. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 13616: move the country code and check digits to the end, letters to numbers, mod 97 = 1. */
export function ibanValid(compact: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

function each(re: RE2JS, text: string, visit: (start: number, end: number) => void): void {
  const matcher = re.matcher(text);
  let count = 0;
  while (count < MAX_MATCHES && matcher.find()) {
    visit(matcher.start(), matcher.end());
    count++;
  }
}

/** The longest prefix of an IBAN candidate (cut at a group boundary) that passes mod-97. */
function validIbanEnd(text: string, start: number, end: number): number | null {
  let stop = end;
  while (stop - start >= 15) {
    const candidate = text.slice(start, stop);
    if (ibanValid(candidate.replace(/ /g, ''))) return stop;
    const space = candidate.lastIndexOf(' ');
    if (space <= 4) return null;
    stop = start + space;
  }
  return null;
}

const DETECTORS: Record<PiiKind, (text: string, out: Span[]) => void> = {
  email: (text, out) => each(EMAIL, text, (start, end) => out.push({ start, end, label: '[EMAIL]' })),
  phone: (text, out) =>
    each(PHONE, text, (start, end) => {
      // a phone number is not a piece of a longer number or word
      if (isWordChar(text[start - 1]) || isWordChar(text[end])) return;
      let stop = end;
      // the international form may swallow a closing ")" or separator; trim what is not a digit
      while (stop > start && !isDigit(text[stop - 1])) stop--;
      const digits = digitsOf(text.slice(start, stop)).length;
      if (digits >= 8 && digits <= 15) out.push({ start, end: stop, label: '[PHONE]' });
    }),
  card: (text, out) =>
    each(CARD, text, (start, end) => {
      if (isDigit(text[start - 1]) || isDigit(text[end])) return;
      const digits = digitsOf(text.slice(start, end));
      if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) {
        out.push({ start, end, label: '[CARD]' });
      }
    }),
  iban: (text, out) =>
    each(IBAN, text, (start, end) => {
      if (isWordChar(text[start - 1])) return;
      const stop = validIbanEnd(text, start, end);
      if (stop !== null && !isWordChar(text[stop])) out.push({ start, end: stop, label: '[IBAN]' });
    }),
  secret: (text, out) => each(SECRET, text, (start, end) => out.push({ start, end, label: '[SECRET]' })),
};

/** Every detected span of the given kinds, in no particular order. */
export function detectPii(text: string, kinds: readonly PiiKind[]): Span[] {
  const out: Span[] = [];
  for (const kind of kinds) DETECTORS[kind](text, out);
  return out;
}

const escapeRe2 = (text: string) => text.replace(/[\\^$.|?*+()[\]{}-]/g, (ch) => `\\${ch}`);

/**
 * A deny list as one case-insensitive RE2 program. Terms whose first/last character is an ASCII word
 * character get `\b` there; other edges (non-ASCII letters, which RE2's `\b` does not know) are checked on
 * the text around each match.
 */
export function compileDenyList(terms: readonly string[]): (text: string) => Span[] {
  const asciiWord = /[A-Za-z0-9_]/;
  const alternatives = terms.map((term) => {
    const first = term[0] ?? '';
    const last = term[term.length - 1] ?? '';
    const body = escapeRe2(term).replace(/\s+/g, '\\s+');
    return `${asciiWord.test(first) ? '\\b' : ''}${body}${asciiWord.test(last) ? '\\b' : ''}`;
  });
  const re = compile(`(?:${alternatives.join('|')})`, RE2JS.CASE_INSENSITIVE);
  return (text) => {
    const out: Span[] = [];
    each(re, text, (start, end) => {
      const firstWord = isWordChar(text[start]);
      const lastWord = isWordChar(text[end - 1]);
      if ((firstWord && isWordChar(text[start - 1])) || (lastWord && isWordChar(text[end]))) return;
      out.push({ start, end, label: '[REDACTED]' });
    });
    return out;
  };
}
