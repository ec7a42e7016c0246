import { describe, expect, it } from 'vitest';
import { ZAiGatewayConfig, ZAiGatewayConfigSave, ZPromptConfig } from './ai-config.ts';
import { ruleApplies, ZGuardrailRule } from './ai-guardrails.ts';

const route = { name: 'fast', targets: [{ credentialId: 'c1', model: 'gpt-4o-mini' }] };

describe('guardrails in AI documents', () => {
  it('loads documents stored without guardrails', () => {
    expect(ZAiGatewayConfig.parse({ routes: [route] }).guardrails).toEqual([]);
    expect(ZAiGatewayConfig.parse({ routes: [route] }).routes[0]?.guardrails).toBeUndefined();
    const prompt = ZPromptConfig.parse({
      model: 'fast',
      routes: [route],
      user: 'hi',
      inputSchema: { type: 'object' },
    });
    expect(prompt.guardrails).toEqual([]);
  });

  it('fills defaults and keeps per-route overrides', () => {
    const parsed = ZAiGatewayConfig.parse({
      routes: [{ ...route, guardrails: [{ type: 'deny', name: 'topics', terms: ['x'] }] }],
      guardrails: [{ type: 'pii', name: 'pii', detect: ['email'] }],
    });
    expect(parsed.guardrails[0]).toMatchObject({ stage: 'both', action: 'redact' });
    expect(parsed.routes[0]?.guardrails?.[0]).toMatchObject({ stage: 'both', action: 'block' });
  });

  it('rejects duplicate rule names and empty lists with field paths', () => {
    const bad = ZAiGatewayConfig.safeParse({
      guardrails: [
        { type: 'deny', name: 'a', terms: ['x'] },
        { type: 'pii', name: 'a', detect: [] },
      ],
    });
    const paths = bad.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('guardrails.1.detect');
    expect(paths).toContain('guardrails.1.name');
  });

  it('refuses, on save, custom patterns the linear-time engine cannot run', () => {
    const config = {
      guardrails: [{ type: 'pattern', name: 'p', patterns: ['(?<=x)y'] }],
      routes: [{ ...route, guardrails: [{ type: 'pattern', name: 'q', patterns: ['(a)\\1'] }] }],
    };
    expect(ZAiGatewayConfig.safeParse(config).success).toBe(true);
    const saved = ZAiGatewayConfigSave.safeParse(config);
    const issues = saved.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues.some((i) => i.startsWith('guardrails.0.patterns.0: This pattern uses lookaround'))).toBe(
      true,
    );
    expect(
      issues.some((i) => i.startsWith('routes.0.guardrails.0.patterns.0: This pattern uses a backreference')),
    ).toBe(true);
  });

  it('places each rule type on its stages', () => {
    const tokens = ZGuardrailRule.parse({ type: 'max_input_tokens', name: 't', limit: 10 });
    const schema = ZGuardrailRule.parse({ type: 'json_schema', name: 's', schema: {} });
    const moderation = ZGuardrailRule.parse({ type: 'moderation', name: 'm', credentialId: 'c1' });
    expect([ruleApplies(tokens, 'input'), ruleApplies(tokens, 'output')]).toEqual([true, false]);
    expect([ruleApplies(schema, 'input'), ruleApplies(schema, 'output')]).toEqual([false, true]);
    expect(moderation).toMatchObject({ stage: 'input', failMode: 'open', model: 'omni-moderation-latest' });
  });
});
