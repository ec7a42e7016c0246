import { describe, expect, it } from 'vitest';
import { scrubSecrets } from './scrub.ts';

describe('scrubSecrets', () => {
  it('replaces keys, masked key fragments, bearer values and key query parameters', () => {
    const cases: [string, string][] = [
      [
        'Incorrect API key provided: sk-proj-********************MxYA. You can find your API key at https://platform.openai.com/account/api-keys.',
        'Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com/account/api-keys.',
      ],
      [
        'Authentication Fails, Your api key: ****abcd is invalid',
        'Authentication Fails, Your api key: [redacted] is invalid',
      ],
      ['bad key sk-ant-api03-AbCdEfGh1234_5678-xyz given', 'bad key [redacted] given'],
      ['key gsk_0123456789abcdefABCDEF rejected', 'key [redacted] rejected'],
      ['Google key AIzaSyDXabcdefghijklmnopqrstuvwx58Jc refused', 'Google key [redacted] refused'],
      [
        'GET https://host/v1/models?key=AIza-secret&alt=sse failed',
        'GET https://host/v1/models?key=[redacted]&alt=sse failed',
      ],
      ['sent Authorization: Bearer abc.def.ghi', 'sent Authorization: Bearer [redacted]'],
      ['subscription key 0123456789abcdef0123456789abcdef is wrong', 'subscription key [redacted] is wrong'],
    ];
    for (const [input, expected] of cases) expect(scrubSecrets(input)).toBe(expected);
  });

  it('leaves ordinary error text alone: model names, request ids, field paths, UUIDs', () => {
    const messages = [
      "messages.0.content: Input should be a valid list (model 'claude-sonnet-4-5-20250929')",
      'The model `gpt-4o-mini-2024-07-18` does not exist or you do not have access to it.',
      'request req_011CSHoEeqs5C35K2UUqR7Fy failed; trace 123e4567-e89b-12d3-a456-426614174000',
      "This model's maximum context length is 128000 tokens. However, you requested 130000 tokens.",
    ];
    for (const message of messages) expect(scrubSecrets(message)).toBe(message);
  });
});

describe('scrubSecrets on long provider text', () => {
  // 64 KiB: linear work takes about a millisecond; the quadratic pattern it replaced took seconds. The
  // bound sits a thousand times above the linear cost, so only a complexity regression trips it.
  it('stays linear in a long run of key-like characters, asterisks or not', () => {
    const run = 'y'.repeat(64 * 1024);
    const started = performance.now();
    expect(scrubSecrets(`${run} and sk-****abcd`)).toBe(`${run} and [redacted]`);
    expect(scrubSecrets(`${run}.${run}`)).toBe(`${run}.${run}`);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
