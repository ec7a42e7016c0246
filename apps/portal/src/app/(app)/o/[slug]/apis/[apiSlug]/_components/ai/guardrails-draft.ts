import type { GuardrailRule, GuardrailRuleType, ZGuardrailRule } from '@portcullis/core/ai-guardrails';
import { z } from 'zod';
import { lines } from '../../../../../../../../components/forms/draft-text';

/*
 * Drafts of the guardrail rules of an AI or prompt API: one shape for every rule type, lists typed as
 * text (one entry per line, or commas), the schema as JSON text. The server's schema (ZGuardrails in
 * ZAiGatewayConfigSave / ZPromptConfigSave) checks what the draft becomes, with the same field paths.
 */

export interface GuardrailDraft {
  type: GuardrailRuleType;
  name: string;
  stage: 'input' | 'output' | 'both';
  action: 'block' | 'redact';
  /** pii: kinds; deny: terms; pattern: patterns; moderation: blocking categories */
  entries: string;
  /** max_input_tokens */
  limit: string;
  /** moderation */
  credentialId: string;
  model: string;
  failMode: 'open' | 'closed';
  /** moderation: how long the moderation call may take (ms) */
  timeoutMs: string;
  /** json_schema: JSON text */
  schema: string;
}

/**
 * Where a rule list sits in a form: the API's (or the prompt's) rules, or one model route's own. The
 * draft keeps each list at its document path, so the server's messages (`routes.1.guardrails.0.name`)
 * land on the fields as they are.
 */
export type GuardrailsPath = 'guardrails' | `routes.${number}.guardrails`;

/** Whose rules a model route runs: the API's (no `guardrails` key) or its own list, which may be empty. */
export type GuardrailsSource = 'api' | 'route';

export interface RouteGuardrailsDraft {
  guardrailsSource: GuardrailsSource;
  /** the route's own rules; kept while the route uses the API's, so switching back restores them */
  guardrails: GuardrailDraft[];
}

export const RULE_TYPES: { value: GuardrailRuleType; label: string }[] = [
  { value: 'pii', label: 'Personal data and secrets' },
  { value: 'deny', label: 'Deny list' },
  { value: 'pattern', label: 'Custom patterns' },
  { value: 'max_input_tokens', label: 'Maximum input tokens' },
  { value: 'moderation', label: 'Provider moderation' },
  { value: 'json_schema', label: 'JSON schema of the answer' },
];

export const newGuardrail = (credentialId = ''): GuardrailDraft => ({
  type: 'pii',
  name: '',
  stage: 'both',
  action: 'redact',
  entries: 'email, phone, card, iban, secret',
  limit: '',
  credentialId,
  model: 'omni-moderation-latest',
  failMode: 'open',
  timeoutMs: '5000',
  schema: '{\n  "type": "object"\n}',
});

/** The document key of the list a rule type types as `entries` (where the server names its errors). */
export const ENTRIES_KEY: Partial<Record<GuardrailRuleType, 'detect' | 'terms' | 'patterns' | 'categories'>> =
  {
    pii: 'detect',
    deny: 'terms',
    pattern: 'patterns',
    moderation: 'categories',
  };

function entriesOf(rule: GuardrailRule): string {
  if (rule.type === 'pii') return rule.detect.join(', ');
  if (rule.type === 'deny') return rule.terms.join('\n');
  if (rule.type === 'pattern') return rule.patterns.join('\n');
  if (rule.type === 'moderation') return rule.categories.join(', ');
  return '';
}

export const toGuardrailDrafts = (rules: readonly GuardrailRule[]): GuardrailDraft[] =>
  rules.map((rule) => ({
    ...newGuardrail(),
    type: rule.type,
    name: rule.name,
    stage: 'stage' in rule ? rule.stage : 'both',
    action: 'action' in rule ? rule.action : 'block',
    entries: entriesOf(rule),
    limit: rule.type === 'max_input_tokens' ? String(rule.limit) : '',
    credentialId: rule.type === 'moderation' ? rule.credentialId : '',
    model: rule.type === 'moderation' ? rule.model : 'omni-moderation-latest',
    failMode: rule.type === 'moderation' ? rule.failMode : 'open',
    timeoutMs: rule.type === 'moderation' ? String(rule.timeoutMs) : '5000',
    schema: rule.type === 'json_schema' ? JSON.stringify(rule.schema, null, 2) : '',
  }));

/** A route's `guardrails` (absent: the API's apply) → its draft; an empty list stays the route's own. */
export const toRouteGuardrailsDraft = (rules: readonly GuardrailRule[] | undefined): RouteGuardrailsDraft =>
  rules === undefined
    ? { guardrailsSource: 'api', guardrails: [] }
    : { guardrailsSource: 'route', guardrails: toGuardrailDrafts(rules) };

function parseSchema(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // the server's schema then says what is wrong (an object is expected)
    return text;
  }
}

/** A required number typed as text; NaN (which the server's schema names) when empty. */
const typedNumber = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

/** Draft → a rule document as the server's schema takes it (checked there, hence the cast). */
const toRule = (d: GuardrailDraft) => ruleDocument(d) as z.input<typeof ZGuardrailRule>;

function ruleDocument(d: GuardrailDraft): Record<string, unknown> {
  const base = { type: d.type, name: d.name.trim() };
  switch (d.type) {
    case 'pii':
      return { ...base, stage: d.stage, action: d.action, detect: lines(d.entries, true) };
    case 'deny':
      return { ...base, stage: d.stage, action: d.action, terms: lines(d.entries) };
    case 'pattern':
      return { ...base, stage: d.stage, action: d.action, patterns: lines(d.entries) };
    case 'max_input_tokens':
      return { ...base, limit: typedNumber(d.limit) };
    case 'moderation':
      return {
        ...base,
        stage: d.stage,
        credentialId: d.credentialId,
        model: d.model.trim(),
        categories: lines(d.entries, true),
        failMode: d.failMode,
        timeoutMs: typedNumber(d.timeoutMs),
      };
    case 'json_schema':
      return { ...base, schema: parseSchema(d.schema) };
  }
}

const ZGuardrailDraft = z.object({
  type: z.enum(['pii', 'deny', 'pattern', 'max_input_tokens', 'moderation', 'json_schema']),
  name: z.string(),
  stage: z.enum(['input', 'output', 'both']),
  action: z.enum(['block', 'redact']),
  entries: z.string(),
  limit: z.string(),
  credentialId: z.string(),
  model: z.string(),
  failMode: z.enum(['open', 'closed']),
  timeoutMs: z.string(),
  schema: z.string(),
});

/** The draft list → the `guardrails` list the server's schema parses (as an unknown array). */
export const ZGuardrailsDraft = z.array(ZGuardrailDraft).transform((drafts) => drafts.map(toRule));

/** A model route's guardrail fields in its draft schema (see `withRouteGuardrails`). */
export const ROUTE_GUARDRAILS_FIELDS = {
  guardrailsSource: z.enum(['api', 'route']),
  guardrails: ZGuardrailsDraft,
};

/**
 * A parsed route draft → its document: its own `guardrails` (an empty list included), or no key at all
 * when it uses the API's; rules kept from an earlier choice are then left out, unchecked.
 */
export function withRouteGuardrails<Route extends { guardrailsSource: GuardrailsSource }>({
  guardrailsSource,
  guardrails,
  ...route
}: Route & { guardrails: unknown[] }) {
  return guardrailsSource === 'route' ? { ...route, guardrails } : route;
}
