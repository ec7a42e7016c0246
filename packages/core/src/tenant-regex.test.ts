import { describe, expect, it } from 'vitest';
import {
  compileTenantPattern,
  MAX_PATTERN_PROGRAM_SIZE,
  type PatternDialect,
  schemaPatternIssues,
  type TenantRegex,
  tenantPatternProblem,
  withPatternBudget,
} from './tenant-regex.ts';

function regex(source: string, dialect: PatternDialect = 'unicode'): TenantRegex {
  const compiled = compileTenantPattern(source, dialect);
  if (!compiled.ok) throw new Error(compiled.reason);
  return compiled.regex;
}

describe('compileTenantPattern', () => {
  it('answers a catastrophic-backtracking pattern in linear time', () => {
    const started = performance.now();
    // RegExp would need ~2^40 steps here; RE2 reads the input once
    expect(regex('^(a+)+$').test(`${'a'.repeat(40)}!`)).toBe(false);
    expect(regex('(a+)+$', 'legacy').replaceAll(`${'a'.repeat(40)}!`, 'X', 10)).toBe(`${'a'.repeat(40)}!`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('means what JavaScript means for ordinary patterns', () => {
    const inputs = [
      'a b',
      'a\u00a0b',
      'a\rb',
      'a\nb',
      'a\u2028b',
      'ab',
      '',
      'x\by',
      'abc-123',
      'Ωμέγα',
      'p{L}',
      'k',
    ];
    const unicode = ['^\\S+$', '^\\s*$', '^.+$', '^[^\\s]+$', '^[\\S]+$', '^[a\\s]+$', '^[\\w-]+$', '\\bab'];
    const more = ['^\\p{L}+$', '^\\p{Letter}+$', '^\\p{Script=Greek}+$', '^[^]+$', '[]', 'x[\\b]y', '^\\d+$'];
    for (const source of [...unicode, ...more]) {
      const re2 = regex(source);
      const js = new RegExp(source, 'u');
      for (const input of inputs)
        expect([source, input, re2.test(input)]).toEqual([source, input, js.test(input)]);
    }
    // the dialect redaction patterns were saved in: escaped letters without a meaning are the letter
    for (const source of [...unicode, '^\\p{L}$', '^\\k$', '\\-\\d']) {
      const re2 = regex(source, 'legacy');
      const js = new RegExp(source);
      for (const input of inputs)
        expect([source, input, re2.test(input)]).toEqual([source, input, js.test(input)]);
    }
  });

  it('replaces like String.replace with a global pattern, up to a number of matches', () => {
    for (const [source, input] of [
      ['sk-[a-z]+', 'key sk-abc and sk-def!'],
      ['a*', 'aaab'],
      ['\\d', 'a1b22'],
    ] as const) {
      expect(regex(source, 'legacy').replaceAll(input, '[R]', 100)).toBe(
        input.replace(new RegExp(source, 'g'), '[R]'),
      );
    }
    // past the limit the rest of the text is replaced too: nothing is left unredacted
    expect(regex('\\d', 'legacy').replaceAll('1a2b3c4', '#', 2)).toBe('#a#b#');
    expect(regex('\\$', 'legacy').replaceAll('a$b', '$&', 5)).toBe('a$&b');
  });

  it('refuses backreferences and lookaround with a reason', () => {
    for (const source of ['(?=a)b', 'a(?!b)', '(?<=a)b', '(?<!a)b']) {
      expect(tenantPatternProblem(source, 'unicode')).toMatch(/^uses lookaround .* \(RE2 syntax\)/);
    }
    for (const source of ['(a)\\1', '(?<q>a)\\k<q>']) {
      expect(tenantPatternProblem(source, 'unicode')).toMatch(/^uses a backreference .* \(RE2 syntax\)/);
    }
    expect(tenantPatternProblem('(a)\\1', 'legacy')).toMatch(/backreference/);
    // a lookahead-looking text inside a class is just characters
    expect(tenantPatternProblem('[(?=]+', 'unicode')).toBeNull();
  });

  it('refuses invalid syntax, what RE2 lacks, and programs that are too large', () => {
    expect(tenantPatternProblem('(unclosed', 'legacy')).toMatch(/^is not a valid regular expression/);
    expect(tenantPatternProblem('\\-', 'unicode')).toMatch(/^is not a valid regular expression/);
    expect(tenantPatternProblem('a{1001}', 'unicode')).toMatch(/^is not supported by .*repeat count/);
    expect(tenantPatternProblem('^.{0,1000}.{0,1000}.{0,1000}$', 'unicode')).toContain(
      `the limit is ${MAX_PATTERN_PROGRAM_SIZE}`,
    );
  });
});

describe('withPatternBudget', () => {
  it('stops matching once the work allowance is spent and says so', () => {
    const digits = regex('^\\d+$');
    const short = withPatternBudget(10_000, () => digits.test('12345'));
    expect(short).toEqual({ value: true, exhausted: false });
    const long = withPatternBudget(10_000, () => digits.test('1'.repeat(100_000)));
    expect(long).toEqual({ value: false, exhausted: true });
    // outside a budget nothing is counted
    expect(digits.test('1'.repeat(100_000))).toBe(true);
  });
});

describe('schemaPatternIssues', () => {
  it('finds patterns by location, and skips names and example data', () => {
    const doc = {
      paths: {
        '/a': {
          get: {
            parameters: [{ name: 'q', in: 'query', schema: { type: 'string', pattern: '(?=x)' } }],
          },
        },
      },
      components: {
        schemas: {
          pattern: { type: 'object', properties: { pattern: { type: 'string', pattern: '(a)\\1' } } },
          Map: { patternProperties: { '^(?!x)': { type: 'string', pattern: '^ok$' } } },
          Sample: { type: 'string', pattern: '^[a-z]+$', example: { pattern: '(?=data)' } },
        },
      },
      'x-vendor': { pattern: '(?=ext)' },
    };
    expect(schemaPatternIssues(doc).map((i) => [i.path.join('.'), i.pattern])).toEqual([
      ['paths./a.get.parameters.0.schema.pattern', '(?=x)'],
      ['components.schemas.pattern.properties.pattern.pattern', '(a)\\1'],
      ['components.schemas.Map.patternProperties.^(?!x)', '^(?!x)'],
    ]);
  });
});
