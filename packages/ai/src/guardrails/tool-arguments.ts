import { applyTextRules, type TextRule, type TextVerdict } from './text-rules.ts';

/*
 * Text rules over a tool call's arguments: a JSON text the model wrote (or the caller sent back). Rules
 * look at what the JSON says, not only at how it is written: each string (keys included) is checked
 * decoded, so `jane\u0040example.com` is the email it spells, and each number on its own (a card number
 * sent as a number). A block on the raw text counts too, for patterns written against the JSON itself.
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
function jsonTokens(text: string): JsonToken[] {
  const tokens: JsonToken[] = [];
  let at = 0;
  while (at < text.length) {
    const ch = text[at] as string;
    if (ch === '"') {
      let end = at + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      end++;
      tokens.push({ start: at, end, kind: 'string', value: JSON.parse(text.slice(at, end)) as string });
      at = end;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let end = at + 1;
      while (end < text.length && isNumberChar(text[end] as string)) end++;
      tokens.push({ start: at, end, kind: 'number', value: text.slice(at, end) });
      at = end;
    } else {
      at++;
    }
  }
  return tokens;
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
    if (rule.action === 'block' && rule.find(args).length > 0) {
      return { text: args, blocked: rule, redacted: new Map() };
    }
  }
  const redacted = new Map<TextRule, number>();
  let out = '';
  let at = 0;
  for (const token of jsonTokens(args)) {
    const verdict = applyTextRules(token.value, usable);
    if (verdict.blocked) return { text: args, blocked: verdict.blocked, redacted: new Map() };
    if (verdict.redacted.size === 0) continue;
    for (const [rule, count] of verdict.redacted) redacted.set(rule, (redacted.get(rule) ?? 0) + count);
    out += args.slice(at, token.start) + JSON.stringify(verdict.text);
    at = token.end;
  }
  return { text: redacted.size > 0 ? out + args.slice(at) : args, blocked: null, redacted };
}
