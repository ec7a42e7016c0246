import { describe, expect, it } from 'vitest';
import {
  costMicros,
  parseAiLimits,
  renderTemplate,
  usdToMicros,
  ZAiGatewayConfig,
  ZAiLimits,
  ZPromptConfig,
} from './ai-config.ts';

describe('AI config documents', () => {
  it('computes call cost exactly in micro-dollars, rounding half-up once', () => {
    // gpt-4o-mini-like prices: $0.15 in / $0.60 out per million tokens
    expect(costMicros(1_000, 500, { inputPerMillion: '0.15', outputPerMillion: '0.60' })).toBe(450n);
    // 1 token at $0.15/M = 0.15 micro-dollars → rounds to 0; 3 tokens = 0.45 → 0; 4 tokens = 0.6 → 1
    expect(costMicros(1, 0, { inputPerMillion: '0.15', outputPerMillion: '0' })).toBe(0n);
    expect(costMicros(4, 0, { inputPerMillion: '0.15', outputPerMillion: '0' })).toBe(1n);
    expect(costMicros(10, 10, undefined)).toBe(0n);
    expect(costMicros(2_000_000, 1_000_000, { inputPerMillion: '2.5', outputPerMillion: '10' })).toBe(
      15_000_000n,
    );
  });

  it('converts USD budgets to micro-dollars', () => {
    expect(usdToMicros('5')).toBe(5_000_000n);
    expect(usdToMicros('0.0000015')).toBe(2n);
    expect(() => usdToMicros('1e3')).toThrow();
  });

  it('renders {{variables}}, leaving unknown ones and JSON-encoding non-strings', () => {
    expect(renderTemplate('Hi {{ name }}, {{n}} {{missing}}', { name: 'Ada', n: [1] })).toBe(
      'Hi Ada, [1] {{missing}}',
    );
  });

  it('rejects duplicate route names and routes without targets with field paths', () => {
    const bad = ZAiGatewayConfig.safeParse({
      routes: [
        { name: 'fast', targets: [{ credentialId: 'c1', model: 'm' }] },
        { name: 'fast', targets: [] },
      ],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('routes.1.targets');
    expect(ZAiGatewayConfig.parse({})).toEqual({
      routes: [],
      logging: { logBodies: false, redact: [] },
      guardrails: [],
    });
  });

  it('requires the prompt model among its routes and every template variable in the input schema', () => {
    const result = ZPromptConfig.safeParse({
      model: 'smart',
      routes: [{ name: 'fast', targets: [{ credentialId: 'c1', model: 'm' }] }],
      user: 'Summarise {{text}} in {{language}}',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
    });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toContain('model: the model must be one of the routes');
    expect(messages).toContain(
      'inputSchema: the template uses {{language}}, which the input schema does not declare',
    );
  });

  it('accepts whole-number token limits and decimal USD budgets only', () => {
    expect(
      ZAiLimits.safeParse([{ metric: 'tokens', window: 'minute', scope: 'key', limit: '1.5' }]).success,
    ).toBe(false);
    expect(ZAiLimits.safeParse([{ metric: 'usd', window: 'day', scope: 'org', limit: '2.50' }]).success).toBe(
      true,
    );
  });

  it('refuses two limits of the same metric, window and scope on save, and still reads stored ones', () => {
    const twice = [
      { metric: 'tokens', window: 'day', scope: 'key', limit: '100' },
      { metric: 'usd', window: 'day', scope: 'key', limit: '1' },
      { metric: 'tokens', window: 'day', scope: 'key', limit: '500' },
    ];
    const result = ZAiLimits.safeParse(twice);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      '2.scope: another limit already counts tokens per day per key: keep one of them',
    ]);
    expect(parseAiLimits(twice)).toHaveLength(3);
  });
});
