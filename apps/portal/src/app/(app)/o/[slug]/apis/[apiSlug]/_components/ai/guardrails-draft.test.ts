import { ZAiGatewayConfig, ZPromptConfig } from '@portcullis/core/ai-config';
import type { FieldErrors } from 'react-hook-form';
import { describe, expect, it } from 'vitest';
import { parseDraft } from '../../../../../../../../components/forms/draft-text';
import { messageAt } from '../../../../../../../../components/forms/field-messages';
import { emptyRoute, toAiRoutesDraft, toPromptDraft, ZAiRoutesForm, ZPromptForm } from './ai-draft';
import { ENTRIES_KEY, newGuardrail } from './guardrails-draft';

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

/** Dotted field messages → the nested errors react-hook-form keeps (as `setError` builds them). */
function nested(errors: Record<string, string>): FieldErrors {
  const root: Record<string, unknown> = {};
  for (const [path, message] of Object.entries(errors)) {
    const keys = path.split('.');
    const leaf = keys.pop() ?? '';
    let node = root;
    for (const key of keys) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[leaf] = { type: 'server', message };
  }
  return root as FieldErrors;
}

describe("a model route's own guardrails", () => {
  const config = ZAiGatewayConfig.parse({
    routes: [
      { ...route, name: 'inherits' },
      { ...route, name: 'unguarded', guardrails: [] },
      { ...route, name: 'own', guardrails: rules },
    ],
    guardrails: [rules[0]],
  });

  it("loads absent as the API's, an empty list and a list as the route's own", () => {
    const [inherits, unguarded, own] = toAiRoutesDraft(config).routes;
    expect(inherits).toMatchObject({ guardrailsSource: 'api', guardrails: [] });
    expect(unguarded).toMatchObject({ guardrailsSource: 'route', guardrails: [] });
    expect(own?.guardrailsSource).toBe('route');
    expect(own?.guardrails.map((d) => [d.type, d.name])).toEqual(rules.map((r) => [r.type, r.name]));
  });

  it('saves an untouched form as the same document, byte for byte', () => {
    const result = parseDraft(ZAiRoutesForm, toAiRoutesDraft(config));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(JSON.stringify(result.input)).toBe(JSON.stringify(config));
    const [inherits, unguarded] = result.input.routes;
    expect(inherits && 'guardrails' in inherits).toBe(false);
    expect(unguarded?.guardrails).toEqual([]);
  });

  it("starts a new route on the API's guardrails", () => {
    const fresh = { ...emptyRoute('cred_1'), name: 'fresh' };
    const [target] = fresh.targets;
    if (!target) throw new Error('fixture');
    target.model = 'gpt-4o-mini';
    expect(fresh).toMatchObject({ guardrailsSource: 'api', guardrails: [] });
    const result = parseDraft(ZAiRoutesForm, { ...toAiRoutesDraft(config), routes: [fresh] });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.input.routes[0] && 'guardrails' in result.input.routes[0]).toBe(false);
  });

  it("switching to the API's drops the route's rules, unchecked; own with none saves an empty list", () => {
    const draft = toAiRoutesDraft(config);
    const [inherits, , own] = draft.routes;
    if (!inherits || !own?.guardrails[0]) throw new Error('fixture');
    own.guardrails[0].name = '';
    own.guardrailsSource = 'api';
    inherits.guardrailsSource = 'route';
    const result = parseDraft(ZAiRoutesForm, draft);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.input.routes[0]?.guardrails).toEqual([]);
    expect(result.input.routes[2] && 'guardrails' in result.input.routes[2]).toBe(false);
  });

  it("names a route's rule errors at the server's paths, where its fields show them", () => {
    const draft = toAiRoutesDraft(config);
    const own = draft.routes[1];
    if (!own) throw new Error('fixture');
    own.guardrails = [
      { ...newGuardrail(), type: 'pattern', name: 'p', entries: 'ok\n(?<=a)b' },
      { ...newGuardrail(), type: 'deny', name: 'p', entries: 'x' },
    ];
    const result = parseDraft(ZAiRoutesForm, draft);
    const errors = result.ok ? {} : result.errors;
    expect(Object.keys(errors).sort()).toEqual([
      'routes.1.guardrails.0.patterns.1',
      'routes.1.guardrails.1.name',
    ]);
    expect(errors['routes.1.guardrails.0.patterns.1']).toContain('lookaround');
    // as the form holds the server's messages: the rule's entries field finds its list's under its key
    const formErrors = nested(errors);
    expect(messageAt(formErrors, `routes.1.guardrails.0.${ENTRIES_KEY.pattern}`)).toContain('lookaround');
    expect(messageAt(formErrors, 'routes.1.guardrails.1.name')).toBe('rule names must be unique');
  });
});
