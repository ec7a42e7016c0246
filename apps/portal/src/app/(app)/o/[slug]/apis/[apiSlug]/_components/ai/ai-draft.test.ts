import { ZAiGatewayConfig, ZPromptConfig } from '@portcullis/core/ai-config';
import { describe, expect, it } from 'vitest';
import { parseDraft } from '../../../../../../../../components/forms/draft-text';
import {
  aiLimitsErrorField,
  emptyRoute,
  NEW_AI_LIMIT,
  toAiRoutesDraft,
  toPromptDraft,
  ZAiLimitsForm,
  ZAiRoutesForm,
  ZPromptForm,
} from './ai-draft';

const route = {
  name: 'fast',
  targets: [
    { credentialId: 'cred_1', model: 'gpt-4o-mini', weight: 3 },
    { credentialId: 'cred_2', model: 'claude-haiku', weight: 0 },
  ],
  timeoutMs: 20_000,
  maxAttempts: 2,
  cacheTtlSeconds: 60,
};

const usageRoute = {
  ...route,
  name: 'metered',
  strategy: 'usage-based',
  targets: [
    { credentialId: 'cred_1', model: 'gpt-4o-mini', weight: 1, rpm: 500, tpm: 200_000 },
    { credentialId: 'cred_2', model: 'claude-haiku', weight: 0 },
  ],
  cooldownFailures: 5,
  cooldownWindowSeconds: 120,
  cooldownSeconds: 45,
};

describe('AI routes draft', () => {
  it('round-trips a document through the form unchanged', () => {
    const config = ZAiGatewayConfig.parse({
      routes: [route],
      logging: { logBodies: true, redact: ['sk-[a-z]+', '\\d{16}'] },
    });
    expect(parseDraft(ZAiRoutesForm, toAiRoutesDraft(config))).toEqual({ ok: true, input: config });
  });

  it('round-trips a strategy, per-target limits and cooldown settings', () => {
    const config = ZAiGatewayConfig.parse({ routes: [route, usageRoute] });
    expect(config.routes[0]).toMatchObject({
      strategy: 'weighted',
      cooldownFailures: 3,
      cooldownSeconds: 30,
    });
    expect(parseDraft(ZAiRoutesForm, toAiRoutesDraft(config))).toEqual({ ok: true, input: config });
  });

  it('explains bad strategy settings field by field', () => {
    const draft = toAiRoutesDraft(ZAiGatewayConfig.parse({ routes: [usageRoute] }));
    const first = draft.routes[0];
    if (!first?.targets[0]) throw new Error('fixture');
    first.targets[0].rpm = '';
    first.targets[0].tpm = '0';
    first.cooldownSeconds = '0';
    expect(parseDraft(ZAiRoutesForm, draft)).toEqual({
      ok: false,
      errors: {
        'routes.0.targets.0.tpm': 'tokens per minute is at least 1 (leave it empty for no limit)',
        'routes.0.cooldownSeconds': 'a cooldown lasts at least 1 second',
        'routes.0.strategy': 'usage-based routing needs tokens or requests per minute on at least one target',
      },
    });
    first.targets[0].tpm = '';
    first.cooldownSeconds = '30';
    expect(parseDraft(ZAiRoutesForm, draft)).toEqual({
      ok: false,
      errors: {
        'routes.0.strategy': 'usage-based routing needs tokens or requests per minute on at least one target',
      },
    });
  });

  it('round-trips the empty document', () => {
    const config = ZAiGatewayConfig.parse({});
    expect(parseDraft(ZAiRoutesForm, toAiRoutesDraft(config))).toEqual({ ok: true, input: config });
  });

  it('gives invalid numbers field errors by route and target', () => {
    const draft = toAiRoutesDraft(ZAiGatewayConfig.parse({ routes: [route] }));
    const first = draft.routes[0];
    if (!first?.targets[0]) throw new Error('fixture');
    first.timeoutMs = '';
    first.targets[0].weight = 'heavy';
    expect(parseDraft(ZAiRoutesForm, draft)).toEqual({
      ok: false,
      errors: { 'routes.0.timeoutMs': 'Enter a number', 'routes.0.targets.0.weight': 'Enter a number' },
    });
  });

  it('names duplicate routes and unsafe redaction patterns', () => {
    const draft = toAiRoutesDraft(ZAiGatewayConfig.parse({ routes: [route] }));
    draft.routes.push({
      ...emptyRoute(),
      name: 'fast',
      targets: [{ credentialId: 'c', model: 'm', weight: '1', tpm: '', rpm: '' }],
    });
    draft.logging.redact = '(a)\\1';
    const result = parseDraft(ZAiRoutesForm, draft);
    expect(result.ok ? [] : Object.keys(result.errors).sort()).toEqual(['logging.redact.0', 'routes.1.name']);
  });
});

describe('prompt draft', () => {
  const prompt = ZPromptConfig.parse({
    model: 'fast',
    routes: [route],
    system: 'You summarise.',
    user: 'Summarise: {{text}}',
    temperature: 0.2,
    maxTokens: 500,
    inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
    outputSchema: { type: 'object' },
  });

  it('round-trips a prompt through the form unchanged', () => {
    expect(parseDraft(ZPromptForm, toPromptDraft(prompt))).toEqual({ ok: true, input: prompt });
  });

  it('leaves empty optional fields out', () => {
    const draft = { ...toPromptDraft(prompt), temperature: '', maxTokens: ' ', outputSchema: '' };
    const result = parseDraft(ZPromptForm, draft);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect('temperature' in result.input && result.input.temperature !== undefined).toBe(false);
    expect(result.input.outputSchema).toBeUndefined();
  });

  it('starts a new prompt with one route on the first credential', () => {
    const draft = toPromptDraft(null, 'cred_9');
    expect(draft.model).toBe('default');
    expect(draft.routes).toEqual([{ ...emptyRoute('cred_9'), name: 'default' }]);
  });

  it('names bad JSON, bad numbers and template variables the schema lacks', () => {
    const broken = {
      ...toPromptDraft(prompt),
      inputSchema: '{"type":',
      temperature: 'warm',
      outputSchema: '[1]',
    };
    const result = parseDraft(ZPromptForm, broken);
    expect(result.ok ? [] : Object.keys(result.errors).sort()).toEqual([
      'inputSchema',
      'outputSchema',
      'temperature',
    ]);
    const undeclared = { ...toPromptDraft(prompt), user: 'Use {{other}}' };
    expect(parseDraft(ZPromptForm, undeclared)).toEqual({
      ok: false,
      errors: { inputSchema: 'the template uses {{other}}, which the input schema does not declare' },
    });
  });
});

describe('AI limits draft', () => {
  it('round-trips limits and names a fractional token limit', () => {
    const limits = [
      { metric: 'usd' as const, window: 'day' as const, scope: 'org' as const, limit: '12.50' },
      { ...NEW_AI_LIMIT, limit: '100000' },
    ];
    expect(parseDraft(ZAiLimitsForm, { limits })).toEqual({ ok: true, input: { limits } });
    const result = parseDraft(ZAiLimitsForm, { limits: [{ ...NEW_AI_LIMIT, limit: '1.5' }] });
    expect(result).toEqual({ ok: false, errors: { 'limits.0.limit': 'a token limit is a whole number' } });
  });

  it('names the second of two limits that would share one counter', () => {
    const twice = [NEW_AI_LIMIT, { ...NEW_AI_LIMIT, limit: '5' }];
    const result = parseDraft(ZAiLimitsForm, { limits: twice });
    expect(result).toMatchObject({
      ok: false,
      errors: { 'limits.1.scope': expect.stringContaining('keep one') },
    });
  });

  it("maps the server's index paths under limits", () => {
    expect(aiLimitsErrorField('0.limit')).toBe('limits.0.limit');
    expect(aiLimitsErrorField('')).toBe('limits');
  });
});
