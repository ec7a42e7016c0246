import {
  type GuardrailAction,
  type GuardrailRule,
  type GuardrailRuleType,
  ruleApplies,
} from '@portcullis/core/ai-guardrails';
import { compileTenantPattern, type TenantRegex } from '@portcullis/core/tenant-regex';
import { compileDenyList, detectPii, mergeOrdered, type Span, type Spans } from './detectors.ts';

/*
 * The rules that look at text (PII, deny lists, custom patterns), compiled once per loaded config, and
 * applied to a whole text: the first blocking rule that matches blocks; every redacting rule's matches are
 * replaced by their label ([EMAIL], [CARD], …, [REDACTED]). Every match, however many: the rules' matches
 * are read in order of where they start and the text is written out redacted as they come, so the work
 * stays linear in the text and the memory that of the text, with no list of matches to cap.
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
  /** every match, in order of where they start, found as they are read */
  find(text: string): Spans;
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
  return { ...base, find: (text) => mergeOrdered(regexes.map((regex) => patternSpans(regex, text))) };
}

/** A custom pattern's non-empty matches (an empty one has nothing to redact). */
function* patternSpans(regex: TenantRegex, text: string): Generator<Span> {
  for (const [start, end] of regex.matches(text)) {
    if (end > start) yield { start, end, label: '[REDACTED]' };
  }
}

/** Whether the rule matches anywhere in the text (it stops at the first match). */
export function matchesIn(rule: TextRule, text: string): boolean {
  return rule.find(text)[Symbol.iterator]().next().done === false;
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

/** A stretch of text to redact: overlapping matches merged, with how many of them each rule found. */
export interface Redaction extends Span {
  matches: Map<TextRule, number>;
}

/**
 * The redactions the rules make in a text, in order: their matches merged as they are read (a match
 * starting inside the previous one's stretch extends it; the stretch takes its first match's label).
 */
export function* redactions(text: string, rules: readonly TextRule[]): Generator<Redaction> {
  let current: Redaction | null = null;
  for (const match of mergeOrdered(rules.map((rule) => matchesOf(rule, text)))) {
    if (current && match.start < current.end) {
      current.end = Math.max(current.end, match.end);
      current.matches.set(match.rule, (current.matches.get(match.rule) ?? 0) + 1);
      continue;
    }
    if (current) yield current;
    const matches = new Map([[match.rule, 1]]);
    current = { start: match.start, end: match.end, label: match.label, matches };
  }
  if (current) yield current;
}

function* matchesOf(rule: TextRule, text: string): Generator<Span & { rule: TextRule }> {
  for (const span of rule.find(text)) yield { ...span, rule };
}

/** Adds a redaction's matches to the per-rule counts. */
export function countRedaction(counts: Map<TextRule, number>, redaction: Redaction): void {
  for (const [rule, count] of redaction.matches) counts.set(rule, (counts.get(rule) ?? 0) + count);
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
  const usable = rules.filter((rule) => !rule.broken);
  const blocked = usable.find((rule) => rule.action === 'block' && matchesIn(rule, text));
  if (blocked) return { text, blocked, redacted };
  const redacting = usable.filter((rule) => rule.action === 'redact');
  let out = '';
  let at = 0;
  for (const redaction of redactions(text, redacting)) {
    out += text.slice(at, redaction.start) + redaction.label;
    at = redaction.end;
    countRedaction(redacted, redaction);
  }
  return { text: redacted.size > 0 ? out + text.slice(at) : text, blocked: null, redacted };
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
