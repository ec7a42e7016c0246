import { RE2JS } from 're2js';

/**
 * Regular expressions written by tenants (OpenAPI `pattern` / `patternProperties`, prompt schemas, AI
 * log redaction) run on the gateway's shared event loop. JavaScript's RegExp backtracks, so a pattern
 * such as `^(a+)+$` takes exponential time on a crafted input and stalls every tenant on the worker.
 * They run on RE2 (re2js) instead: matching time is linear in the input, and the syntax that needs
 * backtracking (backreferences, lookahead, lookbehind) is refused.
 *
 * Patterns are written in JavaScript syntax as before and translated: `.` and `\s` keep their
 * JavaScript meaning (RE2's `.` also matches `\r`, its `\s` is ASCII only), identity escapes of the
 * non-Unicode dialect stay literal letters. What RE2 cannot express is refused with a reason.
 */

/** JSON Schema patterns are ECMAScript regexes in Unicode mode (Ajv's `u` flag). Redaction patterns were
 * compiled without it, and keep that dialect so every pattern saved before still means the same. */
export type PatternDialect = 'unicode' | 'legacy';

export interface TenantRegex {
  readonly source: string;
  /** RE2 program size: the per-character cost of matching when RE2's lazy DFA gives up */
  readonly cost: number;
  test(input: string): boolean;
  /** Every match replaced by `replacement` (taken literally); past maxMatches, from there to the end. */
  replaceAll(input: string, replacement: string, maxMatches: number): string;
  /** Every non-overlapping match, in order, as [start, end) pairs, found as they are read. */
  matches(input: string): Iterable<[number, number]>;
}

export type CompiledPattern = { ok: true; regex: TenantRegex } | { ok: false; reason: string };

/** Compile-time bound: a larger program costs more per input character and more to build. */
export const MAX_PATTERN_PROGRAM_SIZE = 5_000;

const LINEAR_ENGINE = "the gateway's linear-time regular expression engine (RE2 syntax)";

/** JavaScript's `\s` (WhiteSpace and LineTerminator), as RE2 class items. */
const JS_SPACE =
  '\\t\\n\\v\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';
/** Its complement as class items, so that `\S` also works inside a character class. */
const JS_NOT_SPACE =
  '\\x00-\\x08\\x0e-\\x1f\\x21-\\x{9f}\\x{a1}-\\x{167f}\\x{1681}-\\x{1fff}\\x{200b}-\\x{2027}' +
  '\\x{202a}-\\x{202e}\\x{2030}-\\x{205e}\\x{2060}-\\x{2fff}\\x{3001}-\\x{fefe}\\x{ff00}-\\x{10ffff}';
/** JavaScript's `.` without the s flag: anything but a line terminator. */
const JS_DOT = '[^\\n\\r\\x{2028}\\x{2029}]';
/** Escapes that mean something in the non-Unicode dialect; any other escaped letter is the letter. */
const LEGACY_ESCAPES = new Set('dDwWsSbBfnrtvcxu0');

/** JavaScript's long General_Category names, which RE2 knows by their short form only. */
const CATEGORY_ALIASES: Record<string, string> = {
  Letter: 'L',
  Cased_Letter: 'LC',
  Uppercase_Letter: 'Lu',
  Lowercase_Letter: 'Ll',
  Titlecase_Letter: 'Lt',
  Modifier_Letter: 'Lm',
  Other_Letter: 'Lo',
  Mark: 'M',
  Combining_Mark: 'M',
  Nonspacing_Mark: 'Mn',
  Spacing_Mark: 'Mc',
  Enclosing_Mark: 'Me',
  Number: 'N',
  Decimal_Number: 'Nd',
  digit: 'Nd',
  Letter_Number: 'Nl',
  Other_Number: 'No',
  Punctuation: 'P',
  punct: 'P',
  Connector_Punctuation: 'Pc',
  Dash_Punctuation: 'Pd',
  Open_Punctuation: 'Ps',
  Close_Punctuation: 'Pe',
  Initial_Punctuation: 'Pi',
  Final_Punctuation: 'Pf',
  Other_Punctuation: 'Po',
  Symbol: 'S',
  Math_Symbol: 'Sm',
  Currency_Symbol: 'Sc',
  Modifier_Symbol: 'Sk',
  Other_Symbol: 'So',
  Separator: 'Z',
  Space_Separator: 'Zs',
  Line_Separator: 'Zl',
  Paragraph_Separator: 'Zp',
  Other: 'C',
  Control: 'Cc',
  cntrl: 'Cc',
  Format: 'Cf',
  Unassigned: 'Cn',
  Private_Use: 'Co',
  Surrogate: 'Cs',
};

/** `\p{Script=Greek}`, `\p{gc=Letter}`, `\p{Letter}` → the names RE2 takes (`Greek`, `L`). */
function re2PropertyName(name: string): string {
  const [key = '', value] = name.split('=');
  const bare =
    value === undefined ? key : ['Script', 'sc', 'General_Category', 'gc'].includes(key) ? value : name;
  return CATEGORY_ALIASES[bare] ?? bare;
}

class Refused extends Error {}

const lookaround = () =>
  new Refused(`uses lookaround ((?=…), (?!…), (?<=…) or (?<!…)), which ${LINEAR_ENGINE} does not support`);
const backreference = () =>
  new Refused(`uses a backreference (\\1 or \\k<name>), which ${LINEAR_ENGINE} does not support`);

/** JavaScript pattern syntax → RE2 syntax with the same meaning, or Refused. */
function toRe2Syntax(source: string, dialect: PatternDialect): string {
  const unicode = dialect === 'unicode';
  const namedGroups = /\(\?<[^=!]/.test(source);
  let out = '';
  let inClass = false;
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      i += 2;
      if (!inClass && /[1-9]/.test(next)) throw backreference();
      if (!inClass && next === 'k' && source[i] === '<' && (unicode || namedGroups)) throw backreference();
      if (next === 's') out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
      else if (next === 'S') out += inClass ? JS_NOT_SPACE : `[${JS_NOT_SPACE}]`;
      else if (next === 'b' && inClass) out += '\\x08';
      else if (!unicode && next === 'u' && source[i] === '{') out += 'u';
      else if (unicode && (next === 'p' || next === 'P') && source[i] === '{') {
        const close = source.indexOf('}', i);
        const name = close < 0 ? '' : source.slice(i + 1, close);
        out += `\\${next}{${re2PropertyName(name)}}`;
        i = close < 0 ? source.length : close + 1;
      } else if (!unicode && /[A-Za-z]/.test(next) && !LEGACY_ESCAPES.has(next)) out += next;
      else out += `\\${next}`;
      continue;
    }
    i += 1;
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch === '[' ? '\\[' : ch;
    } else if (ch === '[') {
      // `[]` and `[^]` are whole classes in JavaScript (the translator rewrites them)
      inClass = !(source[i] === ']' || (source[i] === '^' && source[i + 1] === ']'));
      out += ch;
    } else if (ch === '.') {
      out += JS_DOT;
    } else if (ch === '(' && source[i] === '?' && /^(?:[=!]|<[=!])/.test(source.slice(i + 1, i + 3))) {
      throw lookaround();
    } else {
      out += ch;
    }
  }
  return RE2JS.translateRegExp(out);
}

function build(source: string, dialect: PatternDialect): CompiledPattern {
  try {
    // Syntax only: constructing a RegExp parses it and never matches anything.
    new RegExp(source, dialect === 'unicode' ? 'u' : '');
  } catch (error) {
    return { ok: false, reason: `is not a valid regular expression: ${(error as Error).message}` };
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(toRe2Syntax(source, dialect));
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message };
    const detail = (error as Error).message.replace(/^error parsing regexp: /, '');
    return { ok: false, reason: `is not supported by ${LINEAR_ENGINE}: ${detail}` };
  }
  const size = compiled.programSize();
  if (size > MAX_PATTERN_PROGRAM_SIZE) {
    return {
      ok: false,
      reason: `is too complex (${size} instructions once compiled; the limit is ${MAX_PATTERN_PROGRAM_SIZE}): use smaller repetition counts`,
    };
  }
  return { ok: true, regex: new Re2Pattern(source, compiled, size) };
}

/**
 * Work allowance shared by every match run inside withPatternBudget, counted in program size × input
 * characters: RE2's worst case (its NFA, when the DFA gives up) costs about that many steps.
 */
let budget: { remaining: number; exhausted: boolean } | null = null;

class Re2Pattern implements TenantRegex {
  constructor(
    readonly source: string,
    private readonly re2: RE2JS,
    readonly cost: number,
  ) {}

  test(input: string): boolean {
    if (budget) {
      const steps = this.cost * (input.length + 1);
      if (steps > budget.remaining) {
        budget.exhausted = true;
        return false;
      }
      budget.remaining -= steps;
    }
    return this.re2.test(input);
  }

  replaceAll(input: string, replacement: string, maxMatches: number): string {
    const matcher = this.re2.matcher(input);
    let out = '';
    let last = 0;
    let count = 0;
    while (matcher.find()) {
      out += input.slice(last, matcher.start()) + replacement;
      // past the limit, the rest of the text goes too: nothing after it is left unredacted
      if (count === maxMatches) return out;
      last = matcher.end();
      count += 1;
    }
    return out + input.slice(last);
  }

  *matches(input: string): Generator<[number, number]> {
    const matcher = this.re2.matcher(input);
    while (matcher.find()) yield [matcher.start(), matcher.end()];
  }

  /** Ajv keys its compiled-pattern cache by this. */
  toString(): string {
    return `/${this.source}/re2`;
  }
}

/**
 * Runs `run` with a work allowance for every TenantRegex.test inside it. A test that would exceed it
 * answers false without matching, and `exhausted` tells the caller to refuse instead of trusting it.
 */
export function withPatternBudget<T>(steps: number, run: () => T): { value: T; exhausted: boolean } {
  const outer = budget;
  const own = { remaining: steps, exhausted: false };
  budget = own;
  try {
    return { value: run(), exhausted: own.exhausted };
  } finally {
    budget = outer;
  }
}

const CACHE_LIMIT = 2_000;
const cache = new Map<string, CompiledPattern>();

/** The pattern on RE2, or why it cannot run there. Compiled once per (dialect, source). */
export function compileTenantPattern(source: string, dialect: PatternDialect): CompiledPattern {
  const key = `${dialect}:${source}`;
  let found = cache.get(key);
  if (!found) {
    found = build(source, dialect);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, found);
  }
  return found;
}

/** Why the pattern cannot be saved, or null when it can. */
export function tenantPatternProblem(source: string, dialect: PatternDialect): string | null {
  const compiled = compileTenantPattern(source, dialect);
  return compiled.ok ? null : compiled.reason;
}

export interface PatternIssue {
  /** where the pattern sits in the document, e.g. ['paths', '/items', 'get', …, 'pattern'] */
  path: (string | number)[];
  pattern: string;
  reason: string;
}

/** Objects whose keys are names (properties, schemas, media types…) rather than keywords. */
const NAME_MAPS = new Set([
  'properties',
  '$defs',
  'definitions',
  'dependentSchemas',
  'schemas',
  'paths',
  'content',
  'headers',
  'parameters',
  'requestBodies',
  'responses',
  'callbacks',
  'webhooks',
]);
/** Values, not schemas: a `pattern` inside an example is data. */
const DATA_KEYWORDS = new Set(['example', 'examples', 'default', 'enum', 'const']);

/**
 * Every `pattern` and `patternProperties` key in a JSON Schema or OpenAPI document that RE2 cannot run,
 * with its location. Bounded by the document's size (the caller bounds that).
 */
export function schemaPatternIssues(document: unknown, base: (string | number)[] = []): PatternIssue[] {
  const issues: PatternIssue[] = [];
  const check = (pattern: string, path: (string | number)[]) => {
    const reason = tenantPatternProblem(pattern, 'unicode');
    if (reason) issues.push({ path, pattern, reason });
  };
  const walk = (node: unknown, path: (string | number)[], keysAreNames: boolean, depth: number): void => {
    if (depth > 200 || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        walk(item, [...path, i], false, depth + 1);
      });
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      const at = [...path, key];
      if (keysAreNames) walk(value, at, false, depth + 1);
      else if (key === 'pattern' && typeof value === 'string') check(value, at);
      else if (key === 'patternProperties' && typeof value === 'object' && value !== null) {
        for (const [pattern, schema] of Object.entries(value)) {
          check(pattern, [...at, pattern]);
          walk(schema, [...at, pattern], false, depth + 1);
        }
      } else if (!DATA_KEYWORDS.has(key) && !key.startsWith('x-')) {
        walk(value, at, NAME_MAPS.has(key) && !Array.isArray(value), depth + 1);
      }
    }
  };
  walk(document, base, false, 0);
  return issues;
}

/** `paths./items.get.parameters.0.schema.pattern`: a readable location for messages. */
export const issueLocation = (path: (string | number)[]): string => path.map(String).join('.');
