import { z } from 'zod';
import { tenantPatternProblem } from './tenant-regex.ts';

/**
 * Guardrails of an AI API (per API, optionally replaced per model route) and of a PROMPT API: rules the
 * gateway applies to what callers send (input) and what models answer (output). Each rule is named by
 * the tenant; the name is what a blocked caller is told and what the call log and metrics record.
 */

/** Which side of the call a rule checks. */
const ZGuardrailStage = z.enum(['input', 'output', 'both']);

/** block: refuse the call (or cut the stream); redact: replace what matched and go on. */
const ZGuardrailAction = z.enum(['block', 'redact']);
export type GuardrailAction = z.infer<typeof ZGuardrailAction>;

const PII_KINDS = ['email', 'phone', 'card', 'iban', 'secret'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/** Custom patterns are compiled as redaction patterns are (JavaScript syntax, on RE2). */
const ZCustomPattern = z
  .string()
  .min(1)
  .max(500)
  .refine((source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

const ZRuleName = z.string().trim().min(1, 'name the rule').max(80);

const ZPiiRule = z.object({
  type: z.literal('pii'),
  name: ZRuleName,
  stage: ZGuardrailStage.default('both'),
  action: ZGuardrailAction.default('redact'),
  detect: z.array(z.enum(PII_KINDS)).min(1, 'pick at least one kind').max(PII_KINDS.length),
});

const ZDenyRule = z.object({
  type: z.literal('deny'),
  name: ZRuleName,
  stage: ZGuardrailStage.default('both'),
  action: ZGuardrailAction.default('block'),
  /** words, phrases or topic keywords, matched case-insensitively on word boundaries */
  terms: z.array(z.string().trim().min(1).max(100)).min(1, 'add at least one term').max(500),
});

const ZPatternRule = z.object({
  type: z.literal('pattern'),
  name: ZRuleName,
  stage: ZGuardrailStage.default('both'),
  action: ZGuardrailAction.default('block'),
  patterns: z.array(ZCustomPattern).min(1, 'add at least one pattern').max(20),
});

const ZMaxInputTokensRule = z.object({
  type: z.literal('max_input_tokens'),
  name: ZRuleName,
  limit: z.number().int().min(1).max(10_000_000),
});

const ZModerationRule = z.object({
  type: z.literal('moderation'),
  name: ZRuleName,
  stage: ZGuardrailStage.default('input'),
  /** ProviderCredential.id of the tenant (OpenAI or OpenAI-compatible) */
  credentialId: z.string().min(1).max(64),
  model: z.string().trim().min(1).max(120).default('omni-moderation-latest'),
  /** categories that block when flagged; empty: any flagged category blocks */
  categories: z.array(z.string().trim().min(1).max(80)).max(40).default([]),
  /** what a failed moderation call means: open lets the call through, closed refuses it */
  failMode: z.enum(['open', 'closed']).default('open'),
  timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
});

const ZJsonSchemaRule = z.object({
  type: z.literal('json_schema'),
  name: ZRuleName,
  /** the JSON Schema an answer's text must satisfy, as JSON (streamed: checked before the finish is sent) */
  schema: z.record(z.string(), z.unknown()),
});

export const ZGuardrailRule = z.discriminatedUnion('type', [
  ZPiiRule,
  ZDenyRule,
  ZPatternRule,
  ZMaxInputTokensRule,
  ZModerationRule,
  ZJsonSchemaRule,
]);
export type GuardrailRule = z.infer<typeof ZGuardrailRule>;
export type GuardrailRuleType = GuardrailRule['type'];

export const ZGuardrails = z
  .array(ZGuardrailRule)
  .max(50)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      if (seen.has(rule.name)) {
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'rule names must be unique' });
      }
      seen.add(rule.name);
    });
  });

/** Whether a rule looks at the input (before the provider call) or the output. */
export function ruleApplies(rule: GuardrailRule, stage: 'input' | 'output'): boolean {
  if (rule.type === 'max_input_tokens') return stage === 'input';
  if (rule.type === 'json_schema') return stage === 'output';
  return rule.stage === 'both' || rule.stage === stage;
}

/** Save-time check: every custom pattern runs on the gateway's linear-time engine. */
export function guardrailPatternIssues(
  rules: readonly GuardrailRule[],
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  rules.forEach((rule, i) => {
    if (rule.type !== 'pattern') return;
    rule.patterns.forEach((source, j) => {
      const problem = tenantPatternProblem(source, 'legacy');
      if (problem) issues.push({ path: [i, 'patterns', j], message: `This pattern ${problem}` });
    });
  });
  return issues;
}

/** One decision as the AI call log stores it (AiCallLog.guardrails is a list of these). */
const ZGuardrailDecisionRecord = z.object({
  rule: z.string(),
  type: z.string(),
  stage: z.enum(['input', 'output']),
  action: z.enum(['block', 'redact', 'flagged', 'error']),
  detail: z.string().optional(),
});
export type GuardrailDecisionRecord = z.infer<typeof ZGuardrailDecisionRecord>;

/** The decisions of a call log row; a row without any (or unreadable JSON) has none. */
export function parseGuardrailDecisions(json: unknown): GuardrailDecisionRecord[] {
  const parsed = z.array(ZGuardrailDecisionRecord).safeParse(json ?? []);
  return parsed.success ? parsed.data : [];
}
