import { applyTextRules, matchesIn, type TextRule, type TextVerdict } from './text-rules.ts';

/*
 * Text rules over a tool call's arguments: a JSON text the model wrote (or the caller sent back). Rules
 * look at what the JSON says, not only at how it is written: each string (keys included) is checked
 * decoded, so `jane\u0040example.com` is the email it spells, and each number on its own (a card number
 * sent as a number), as written and, written with an exponent, as its plain decimal expansion: the
 * digits a tool reading `4.111111111111111e15` gets. A block on the raw text counts too, for patterns
 * written against the JSON itself.
 *
 * Redaction rewrites values, never the text around them: a redacted string is encoded again (labels
 * have no quotes or backslashes, but the rest of the string may, and a match never splits an escape
 * since it is found in the decoded text); a redacted number becomes a string. Arguments that are valid
 * JSON stay valid JSON. Arguments that are not JSON are checked as plain text.
 */

/** A string literal or number of a JSON text: [start, end) of its source and what it says. */
interface JsonToken {
  start: number;
  end: number;
  kind: 'string' | 'number';
  value: string;
}

const isNumberChar = (ch: string) =>
  (ch >= '0' && ch <= '9') || ch === '-' || ch === '+' || ch === '.' || ch === 'e' || ch === 'E';

/** The strings and numbers of a valid JSON text, in order (the text was parsed, so its shape is known). */
function* jsonTokens(text: string): Generator<JsonToken> {
  let at = 0;
  while (at < text.length) {
    const ch = text[at] as string;
    if (ch === '"') {
      let end = at + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      end++;
      yield { start: at, end, kind: 'string', value: JSON.parse(text.slice(at, end)) as string };
      at = end;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let end = at + 1;
      while (end < text.length && isNumberChar(text[end] as string)) end++;
      yield { start: at, end, kind: 'number', value: text.slice(at, end) };
      at = end;
    } else {
      at++;
    }
  }
}

/**
 * Zeros an exponent may add around a number's written digits for its expansion to be checked. Past
 * that the expansion is a run of more digits than any card, account or phone number has, which no
 * rule's detector would take for one; the number is then checked as written only.
 */
const MAX_EXPANSION_ZEROS = 40;

/**
 * A JSON number written with an exponent in plain decimal notation, exactly (from its digits, never
 * through a double): 4.1e3 → 4100, 15e-3 → 0.015. Null without an exponent, or past MAX_EXPANSION_ZEROS.
 */
function plainDecimal(literal: string): string | null {
  const match = /^(-?)([0-9]+)(?:\.([0-9]+))?[eE]([+-]?[0-9]+)$/.exec(literal);
  if (!match) return null;
  const [, sign = '', whole = '', fraction = '', exponent = ''] = match;
  const digits = whole + fraction;
  // where the decimal point falls in `digits` once the exponent has moved it
  const point = whole.length + Number(exponent);
  const zeros = Math.max(0, point - digits.length, -point);
  if (zeros > MAX_EXPANSION_ZEROS) return null;
  let integer: string;
  let decimals: string;
  if (point <= 0) {
    integer = '0';
    decimals = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    integer = digits + '0'.repeat(point - digits.length);
    decimals = '';
  } else {
    integer = digits.slice(0, point);
    decimals = digits.slice(point);
  }
  integer = integer.replace(/^0+(?=[0-9])/, '');
  decimals = decimals.replace(/0+$/, '');
  return `${sign}${integer}${decimals ? `.${decimals}` : ''}`;
}

/** The rules on one string or number; a number that passes as written is checked as its expansion too. */
function checkToken(token: JsonToken, rules: readonly TextRule[]): TextVerdict {
  const written = applyTextRules(token.value, rules);
  if (token.kind === 'string' || written.blocked || written.redacted.size > 0) return written;
  const expanded = plainDecimal(token.value);
  return expanded === null ? written : applyTextRules(expanded, rules);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Applies the rules to one tool call's arguments; a redacted result is valid JSON when the input was. */
export function applyRulesToArguments(args: string, rules: readonly TextRule[]): TextVerdict {
  const usable = rules.filter((rule) => !rule.broken);
  if (args === '' || usable.length === 0) return { text: args, blocked: null, redacted: new Map() };
  if (!isJson(args)) return applyTextRules(args, usable);
  for (const rule of usable) {
    if (rule.action === 'block' && matchesIn(rule, args)) {
      return { text: args, blocked: rule, redacted: new Map() };
    }
  }
  const redacted = new Map<TextRule, number>();
  let out = '';
  let at = 0;
  for (const token of jsonTokens(args)) {
    const verdict = checkToken(token, usable);
    if (verdict.blocked) return { text: args, blocked: verdict.blocked, redacted: new Map() };
    if (verdict.redacted.size === 0) continue;
    for (const [rule, count] of verdict.redacted) redacted.set(rule, (redacted.get(rule) ?? 0) + count);
    out += args.slice(at, token.start) + JSON.stringify(verdict.text);
    at = token.end;
  }
  return { text: redacted.size > 0 ? out + args.slice(at) : args, blocked: null, redacted };
}
