import { describe, expect, it } from 'vitest';
import { RequestValidator } from './openapi-validate.ts';

/** A 3.1 document whose one operation takes `code` in the query and a JSON body of `schema`. */
function validatorFor(codeSchema: Record<string, unknown>, bodySchema: Record<string, unknown>) {
  const built = RequestValidator.fromSpec({
    openapi: '3.1.0',
    info: { title: 'codes', version: '1' },
    paths: {
      '/codes': {
        post: {
          parameters: [{ name: 'code', in: 'query', schema: codeSchema }],
          requestBody: { content: { 'application/json': { schema: bodySchema } } },
        },
      },
    },
  });
  if (!built.ok) throw new Error(built.error);
  const match = built.value.match('POST', '/codes');
  if (!match) throw new Error('no match');
  return {
    query: (query: string) => built.value.validateParameters(match, query, {}),
    body: (body: unknown) => built.value.validateBody(match, Buffer.from(JSON.stringify(body))),
  };
}

describe('RequestValidator patterns (RE2)', () => {
  it('checks ordinary patterns and patternProperties as before', () => {
    const v = validatorFor(
      { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
      {
        type: 'object',
        patternProperties: { '^x-': { type: 'string', pattern: '^\\S+$' } },
        additionalProperties: false,
      },
    );
    expect(v.query('code=ABC-1234')).toEqual([]);
    expect(v.query('code=abc-1234')).toEqual([
      { in: 'query', name: 'code', message: 'must match pattern "^[A-Z]{3}-\\d{4}$"' },
    ]);
    expect(v.body({ 'x-a': 'ok' })).toEqual([]);
    expect(v.body({ 'x-a': 'not ok' })).toEqual([
      { in: 'body', name: '/x-a', message: 'must match pattern "^\\S+$"' },
    ]);
    expect(v.body({ other: 'ok' })).toEqual([
      { in: 'body', name: '', message: 'must NOT have additional properties' },
    ]);
  });

  it('refuses a value for a stored pattern RE2 cannot run, saying why', () => {
    const v = validatorFor({ type: 'string', pattern: '^(?=.*\\d)\\w+$' }, { type: 'object' });
    expect(v.query('code=abc1')).toEqual([
      {
        in: 'query',
        name: 'code',
        message: expect.stringMatching(
          /^cannot be checked: the API's pattern "\^\(\?=\.\*\\d\)\\w\+\$" uses lookaround/,
        ),
      },
    ]);
    // a request without the value is not affected
    expect(v.query('')).toEqual([]);
    expect(
      RequestValidator.unsupportedPatterns({
        paths: { '/a': { get: { parameters: [{ schema: { pattern: '(a)\\1' } }] } } },
      }),
    ).toEqual([
      expect.objectContaining({ pattern: '(a)\\1', reason: expect.stringContaining('backreference') }),
    ]);
  });

  it('refuses a location holding more text than the pattern budget checks', () => {
    // ~1,000 RE2 instructions: the budget covers ~33,000 characters of text for it
    const v = validatorFor(
      { type: 'string' },
      { type: 'object', properties: { note: { type: 'string', pattern: '^[a-z ]{0,500}$' } } },
    );
    expect(v.body({ note: 'short and fine' })).toEqual([]);
    expect(v.body({ note: 'a'.repeat(40_000) })).toEqual([
      {
        in: 'body',
        name: '',
        message: "holds more text than the gateway checks against this API's patterns in one request",
      },
    ]);
  });
});
