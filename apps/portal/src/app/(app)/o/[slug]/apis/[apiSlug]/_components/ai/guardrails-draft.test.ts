import { ZAiGatewayConfig, ZPromptConfig } from '@portcullis/core/ai-config';
import { describe, expect, it } from 'vitest';
import { parseDraft } from '../../../../../../../../components/forms/draft-text';
import { toAiRoutesDraft, toPromptDraft, ZAiRoutesForm, ZPromptForm } from './ai-draft';
import { newGuardrail } from './guardrails-draft';

const route = { name: 'fast', targets: [{ credentialId: 'cred_1', model: 'gpt-4o-mini' }] };
const rules = [
  { type: 'pii', name: 'pii', stage: 'input', action: 'redact', detect: ['email', 'card'] },
  { type: 'deny', name: 'topics', stage: 'both', action: 'block', terms: ['acme corp', 'globex'] },
  { type: 'pattern', name: 'tickets', stage: 'output', action: 'redact', patterns: ['TICKET-[0-9]+'] },
  { type: 'max_input_tokens', name: 'short', limit: 2000 },
  {
    type: 'moderation',
    name: 'safety',
    stage: 'input',
    credentialId: 'cred_1',
    model: 'omni-moderation-latest',
    categories: ['violence'],
    failMode: 'closed',
    timeoutMs: 5000,
  },
  { type: 'json_schema', name: 'shape', schema: { type: 'object', required: ['answer'] } },
];

describe('guardrails draft', () => {
  it('round-trips every rule type, and a route override, unchanged', () => {
    const config = ZAiGatewayConfig.parse({
      routes: [{ ...route, guardrails: [rules[1]] }],
      guardrails: rules,
    });
    expect(parseDraft(ZAiRoutesForm, toAiRoutesDraft(config))).toEqual({ ok: true, input: config });
  });

  it("keeps a moderation rule's own timeout, and names an empty one", () => {
    const moderation = { ...rules[4], timeoutMs: 1500 };
    const config = ZAiGatewayConfig.parse({ guardrails: [moderation] });
    const draft = toAiRoutesDraft(config);
    expect(parseDraft(ZAiRoutesForm, draft)).toEqual({ ok: true, input: config });
    const [rule] = draft.guardrails;
    if (!rule) throw new Error('fixture');
    rule.timeoutMs = ' ';
    const result = parseDraft(ZAiRoutesForm, draft);
    expect(result.ok ? {} : Object.keys(result.errors)).toEqual(['guardrails.0.timeoutMs']);
  });

  it('round-trips a prompt with guardrails', () => {
    const prompt = ZPromptConfig.parse({
      model: 'fast',
      routes: [route],
      user: 'Hi {{text}}',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
      guardrails: rules.slice(0, 2),
    });
    expect(parseDraft(ZPromptForm, toPromptDraft(prompt))).toEqual({ ok: true, input: prompt });
  });

  it('gives field errors at the server paths', () => {
    const draft = toAiRoutesDraft(ZAiGatewayConfig.parse({}));
    draft.guardrails = [
      { ...newGuardrail(), name: '', entries: 'email, fax' },
      { ...newGuardrail(), type: 'pattern', name: 'p', entries: '(?<=a)b' },
      { ...newGuardrail(), type: 'json_schema', name: 's', schema: '{ not json' },
    ];
    const result = parseDraft(ZAiRoutesForm, draft);
    expect(result.ok).toBe(false);
    const errors = result.ok ? {} : result.errors;
    expect(errors['guardrails.0.name']).toBe('name the rule');
    expect(errors['guardrails.0.detect.1']).toBeDefined();
    expect(errors['guardrails.2.schema']).toBeDefined();
  });

  it('checks custom patterns for the linear-time engine before saving', () => {
    const draft = toAiRoutesDraft(ZAiGatewayConfig.parse({}));
    draft.guardrails = [{ ...newGuardrail(), type: 'pattern', name: 'p', entries: 'ok\n(?<=a)b' }];
    const result = parseDraft(ZAiRoutesForm, draft);
    expect(result.ok ? {} : result.errors).toMatchObject({
      'guardrails.0.patterns.1': expect.stringContaining('lookaround'),
    });
  });
});
