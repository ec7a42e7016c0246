import {
  type GuardrailAction,
  type GuardrailRule,
  type GuardrailRuleType,
  ruleApplies,
} from '@portcullis/core/ai-guardrails';
import { compileTenantPattern } from '@portcullis/core/tenant-regex';
import { compileDenyList, detectPii, MAX_MATCHES, type Span } from './detectors.ts';

/*
 * The rules that look at text (PII, deny lists, custom patterns), compiled once per loaded config, and
 * applied to a whole text: the first blocking rule that matches blocks; every redacting rule's matches are
 * replaced by their label ([EMAIL], [CARD], …, [REDACTED]).
 */

/** One guardrail decision, as the call log records it and metrics count it. */
export interface GuardrailDecision {
  rule: string;
  type: GuardrailRuleType;
  stage: 'input' | 'output';
  /** flagged: a check found something it lets through; error: a check could not run */
  action: 'block' | 'redact' | 'flagged' | 'error';
  detail?: string;
}

export interface TextRule {
  name: string;
  type: 'pii' | 'deny' | 'pattern';
  action: GuardrailAction;
  find(text: string): Span[];
  /** why a stored custom pattern cannot run (saved before patterns were checked), or null */
  broken: string | null;
}

type TextRuleSource = Extract<GuardrailRule, { type: 'pii' | 'deny' | 'pattern' }>;

const isTextRule = (rule: GuardrailRule): rule is TextRuleSource =>
  rule.type === 'pii' || rule.type === 'deny' || rule.type === 'pattern';

function compileRule(rule: TextRuleSource): TextRule {
  const base = { name: rule.name, type: rule.type, action: rule.action, broken: null };
  if (rule.type === 'pii') return { ...base, find: (text) => detectPii(text, rule.detect) };
  if (rule.type === 'deny') return { ...base, find: compileDenyList(rule.terms) };
  const compiled = rule.patterns.map((source) => compileTenantPattern(source, 'legacy'));
  const broken = compiled.find((c) => !c.ok);
  if (broken && !broken.ok) return { ...base, broken: `a pattern ${broken.reason}`, find: () => [] };
  const regexes = compiled.flatMap((c) => (c.ok ? [c.regex] : []));
  return {
    ...base,
    find: (text) =>
      regexes.flatMap((regex) =>
        regex
          .findAll(text, MAX_MATCHES)
          .filter(([start, end]) => end > start)
          .map(([start, end]) => ({ start, end, label: '[REDACTED]' })),
      ),
  };
}

const compiledRules = new WeakMap<readonly GuardrailRule[], { input: TextRule[]; output: TextRule[] }>();

/** The text rules of a rule list for one stage; compiled once per rule list (the config's object). */
export function textRulesFor(rules: readonly GuardrailRule[], stage: 'input' | 'output'): TextRule[] {
  let found = compiledRules.get(rules);
  if (!found) {
    const text = rules.filter(isTextRule);
    found = {
      input: text.filter((r) => ruleApplies(r, 'input')).map(compileRule),
      output: text.filter((r) => ruleApplies(r, 'output')).map(compileRule),
    };
    compiledRules.set(rules, found);
  }
  return found[stage];
}

/** Overlapping and adjacent spans merged, in order. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
    else out.push({ ...span });
  }
  return out;
}

export function replaceSpans(text: string, spans: readonly Span[]): string {
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start) + span.label;
    at = span.end;
  }
  return out + text.slice(at);
}

export interface TextVerdict {
  text: string;
  blocked: TextRule | null;
  /** per redacting rule that matched: how many matches */
  redacted: Map<TextRule, number>;
}

/** Applies the rules to one text: a block wins; otherwise every redaction at once. */
export function applyTextRules(text: string, rules: readonly TextRule[]): TextVerdict {
  const redacted = new Map<TextRule, number>();
  const spans: Span[] = [];
  for (const rule of rules) {
    if (rule.broken) continue;
    const found = rule.find(text);
    if (found.length === 0) continue;
    if (rule.action === 'block') return { text, blocked: rule, redacted };
    redacted.set(rule, (redacted.get(rule) ?? 0) + found.length);
    spans.push(...found);
  }
  return { text: spans.length > 0 ? replaceSpans(text, mergeSpans(spans)) : text, blocked: null, redacted };
}

/** The decisions a verdict (or several, summed) leaves for the call log. */
export function textDecisions(
  stage: 'input' | 'output',
  rules: readonly TextRule[],
  blocked: TextRule | null,
  redacted: ReadonlyMap<TextRule, number>,
): GuardrailDecision[] {
  const decisions: GuardrailDecision[] = [];
  for (const rule of rules) {
    if (rule.broken) {
      decisions.push({ rule: rule.name, type: rule.type, stage, action: 'error', detail: rule.broken });
    }
  }
  for (const [rule, count] of redacted) {
    decisions.push({
      rule: rule.name,
      type: rule.type,
      stage,
      action: 'redact',
      detail: `${count} match(es)`,
    });
  }
  if (blocked) decisions.push({ rule: blocked.name, type: blocked.type, stage, action: 'block' });
  return decisions;
}
