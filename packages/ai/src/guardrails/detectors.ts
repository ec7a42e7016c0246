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

/**
 * Every match of a detector or rule in a text, in order of where they start, found as they are read.
 * Nothing caps their number (a redaction that stopped at some count would pass the rest of the text
 * through), and nothing lists them: a redaction consumes them as it writes the text out, so the memory
 * a check takes stays that of the text, whatever the number of matches.
 */
export type Spans = Iterable<Span>;

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

/** Every non-overlapping match of `re` in the text, in order, as [start, end). */
function* matchesOf(re: RE2JS, text: string): Generator<[number, number]> {
  const matcher = re.matcher(text);
  while (matcher.find()) yield [matcher.start(), matcher.end()];
}

/**
 * Ordered span sources merged into one ordered source (a k-way merge over their heads: k is a rule's
 * detectors or a config's rules, a handful). Spans starting together come longest first, so that the
 * longest one's label names a redaction they share.
 */
export function* mergeOrdered<T extends Span>(sources: readonly Iterable<T>[]): Generator<T> {
  if (sources.length === 1) {
    yield* sources[0] as Iterable<T>;
    return;
  }
  const iterators = sources.map((source) => source[Symbol.iterator]());
  const heads = iterators.map((iterator) => iterator.next());
  for (;;) {
    let first = -1;
    let best: T | undefined;
    heads.forEach((head, i) => {
      if (head.done) return;
      const span = head.value;
      if (!best || span.start < best.start || (span.start === best.start && span.end > best.end)) {
        best = span;
        first = i;
      }
    });
    if (!best) return;
    yield best;
    heads[first] = (iterators[first] as Iterator<T>).next();
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

const DETECTORS: Record<PiiKind, (text: string) => Spans> = {
  *email(text) {
    for (const [start, end] of matchesOf(EMAIL, text)) yield { start, end, label: '[EMAIL]' };
  },
  *phone(text) {
    for (const [start, end] of matchesOf(PHONE, text)) {
      // a phone number is not a piece of a longer number or word
      if (isWordChar(text[start - 1]) || isWordChar(text[end])) continue;
      let stop = end;
      // the international form may swallow a closing ")" or separator; trim what is not a digit
      while (stop > start && !isDigit(text[stop - 1])) stop--;
      const digits = digitsOf(text.slice(start, stop)).length;
      if (digits >= 8 && digits <= 15) yield { start, end: stop, label: '[PHONE]' };
    }
  },
  *card(text) {
    for (const [start, end] of matchesOf(CARD, text)) {
      if (isDigit(text[start - 1]) || isDigit(text[end])) continue;
      const digits = digitsOf(text.slice(start, end));
      if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) {
        yield { start, end, label: '[CARD]' };
      }
    }
  },
  *iban(text) {
    for (const [start, end] of matchesOf(IBAN, text)) {
      if (isWordChar(text[start - 1])) continue;
      const stop = validIbanEnd(text, start, end);
      if (stop !== null && !isWordChar(text[stop])) yield { start, end: stop, label: '[IBAN]' };
    }
  },
  *secret(text) {
    for (const [start, end] of matchesOf(SECRET, text)) yield { start, end, label: '[SECRET]' };
  },
};

/** Every detected span of the given kinds, in order of where they start. */
export function detectPii(text: string, kinds: readonly PiiKind[]): Spans {
  return mergeOrdered(kinds.map((kind) => DETECTORS[kind](text)));
}

interface TrieNode {
  next: Map<string, TrieNode>;
  /** a term ends here; `wordEnd`: it ends with a word character (so must the match's next one not be) */
  end: { wordEnd: boolean } | null;
}

const isSpace = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);
const normalizeTerm = (term: string) => term.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * A deny list as a character trie of its lower-cased terms (whitespace runs match any whitespace run),
 * walked from each word start: the work is at most the longest term per start, whatever the number of
 * terms, so a long list cannot make a check slow. Terms match whole words (a term edge that is a letter
 * or digit must not continue into one in the text).
 */
export function compileDenyList(terms: readonly string[]): (text: string) => Spans {
  const root: TrieNode = { next: new Map(), end: null };
  let punctuationStart = false;
  for (const raw of terms) {
    const term = normalizeTerm(raw);
    if (term === '') continue;
    if (!isWordChar(term[0])) punctuationStart = true;
    let node = root;
    for (const ch of term) {
      let child = node.next.get(ch);
      if (!child) {
        child = { next: new Map(), end: null };
        node.next.set(ch, child);
      }
      node = child;
    }
    node.end = { wordEnd: isWordChar(term[term.length - 1]) };
  }
  const matchAt = (text: string, start: number): number => {
    let node: TrieNode | undefined = root;
    let best = -1;
    let i = start;
    while (node && i < text.length) {
      const ch = text[i] as string;
      if (isSpace(ch)) {
        node = node.next.get(' ');
        while (isSpace(text[i])) i++;
      } else {
        for (const folded of ch.toLowerCase()) node = node?.next.get(folded);
        i++;
      }
      if (node?.end && !(node.end.wordEnd && isWordChar(text[i]))) best = i;
    }
    return best;
  };
  return function* find(text) {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      const word = isWordChar(ch);
      const startsHere = word ? !isWordChar(text[i - 1]) : punctuationStart && !isSpace(ch);
      if (!startsHere) continue;
      const end = matchAt(text, i);
      if (end > i) {
        yield { start: i, end, label: '[REDACTED]' };
        i = end - 1;
      }
    }
  };
}
