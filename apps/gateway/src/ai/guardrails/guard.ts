import {
  checkCompletion,
  checkedChars,
  checkMessages,
  messagesText,
} from '@portcullis/ai/guardrails/messages';
import {
  type GuardrailDecision,
  type TextRule,
  textDecisions,
  textRulesFor,
} from '@portcullis/ai/guardrails/text-rules';
import { estimateTokens, loadTokenizer } from '@portcullis/ai/tokens';
import type { ChatCompletion, ChatCompletionRequest } from '@portcullis/ai/types';
import { type GuardrailRule, ruleApplies } from '@portcullis/core/ai-guardrails';
import type { AiCalls } from '../calls.ts';
import type { AiRequest } from '../context.ts';
import type { GuardrailBlock } from './failures.ts';
import { cachedSchemaValidator, validateJsonText } from './json-schema.ts';
import { countGuardrailDecisions } from './metrics.ts';
import { moderate } from './moderation.ts';

/*
 * The guardrails of one AI call: input checks before the provider is called (so a blocked input costs
 * the tenant nothing at the provider), output checks on a whole completion, and (stream.ts) on a
 * stream as it goes. Every decision is kept on the run for the call log and counted in metrics.
 */

/** The most text (characters, all messages or choices together) the text rules check in one call. */
const MAX_CHECKED_CHARS = 1_000_000;

/** One call's guardrails: the rules in force and what they decided. */
export class GuardrailRun {
  readonly decisions: GuardrailDecision[] = [];

  constructor(
    readonly rules: readonly GuardrailRule[],
    private readonly ai: AiCalls,
    private readonly ctx: AiRequest,
  ) {}

  get active(): boolean {
    return this.rules.length > 0;
  }

  record(decisions: readonly GuardrailDecision[]): void {
    if (decisions.length === 0) return;
    this.decisions.push(...decisions);
    countGuardrailDecisions(this.ctx.route.apiId, decisions);
  }

  /** The decisions for the call log row, or null when there are none. */
  logged(): GuardrailDecision[] | null {
    return this.decisions.length > 0 ? this.decisions : null;
  }

  /** Input checks; on success the request to send (redacted where a rule says so). */
  async checkInput(
    request: ChatCompletionRequest,
  ): Promise<{ ok: true; request: ChatCompletionRequest } | { ok: false; block: GuardrailBlock }> {
    if (!this.active) return { ok: true, request };
    const textRules = textRulesFor(this.rules, 'input');
    const oversized = this.oversized('input', textRules, checkedChars(request.messages));
    if (oversized) return { ok: false, block: oversized };
    const verdict = checkMessages(request.messages, textRules);
    this.record(textDecisions('input', textRules, verdict.blocked, verdict.redacted));
    if (verdict.blocked) return { ok: false, block: blockOf(verdict.blocked.name, 'input') };
    const checked = verdict.redacted.size > 0 ? { ...request, messages: verdict.value } : request;
    for (const rule of this.rules) {
      if (rule.type !== 'max_input_tokens') continue;
      await loadTokenizer(request.model).catch(() => undefined);
      const tokens = estimateTokens(checked.messages, request.model, checked.tools).tokens;
      if (tokens > rule.limit) {
        const detail = `${tokens} tokens > ${rule.limit}`;
        this.record([{ rule: rule.name, type: rule.type, stage: 'input', action: 'block', detail }]);
        return {
          ok: false,
          block: blockOf(rule.name, 'input', `the input has about ${tokens} tokens, over ${rule.limit}`),
        };
      }
    }
    const moderated = await this.moderate('input', messagesText(checked.messages));
    if (moderated) return { ok: false, block: moderated };
    return { ok: true, request: checked };
  }

  /** Output checks on a whole completion; on success the completion to send (redacted where needed). */
  async checkOutput(
    completion: ChatCompletion,
  ): Promise<{ ok: true; completion: ChatCompletion } | { ok: false; block: GuardrailBlock }> {
    if (!this.active) return { ok: true, completion };
    const textRules = textRulesFor(this.rules, 'output');
    const oversized = this.oversized('output', textRules, completionChars(completion));
    if (oversized) return { ok: false, block: oversized };
    const verdict = checkCompletion(completion, textRules);
    this.record(textDecisions('output', textRules, verdict.blocked, verdict.redacted));
    if (verdict.blocked) return { ok: false, block: blockOf(verdict.blocked.name, 'output') };
    const block = await this.checkAnswers(answerTexts(verdict.value));
    if (block) return { ok: false, block };
    return { ok: true, completion: verdict.value };
  }

  /** Whether rules that need an answer's whole text are in force (a stream then holds its finish). */
  get checksWholeAnswers(): boolean {
    return this.rules.some(checksWholeAnswer);
  }

  /**
   * Records what a stream sent for a choice after its finish: past the answer the whole-answer rules
   * passed, so dropped (stream-finish.ts); each of those rules gets the decision, with what was dropped.
   */
  recordDroppedAfterFinish(detail: string): void {
    this.record(
      this.rules
        .filter(checksWholeAnswer)
        .map((rule) => ({ rule: rule.name, type: rule.type, stage: 'output', action: 'redact', detail })),
    );
  }

  /**
   * The rules that need an answer's whole text, on the texts as the caller gets them (redacted): each
   * text against every JSON-schema rule, then all of them through output moderation. Null: they pass.
   */
  async checkAnswers(texts: readonly string[]): Promise<GuardrailBlock | null> {
    for (const rule of this.rules) {
      if (rule.type !== 'json_schema') continue;
      const problem = schemaProblem(rule.schema, texts);
      if (problem) {
        this.record([
          { rule: rule.name, type: rule.type, stage: 'output', action: 'block', detail: problem },
        ]);
        return blockOf(rule.name, 'output', problem);
      }
    }
    return this.moderate('output', texts.join('\n'));
  }

  /**
   * Text rules check at most MAX_CHECKED_CHARS (their work is linear in the text, and runs on the
   * shared event loop): more text than that is refused by the first text rule, which could not check it.
   */
  private oversized(
    stage: 'input' | 'output',
    rules: readonly TextRule[],
    chars: number,
  ): GuardrailBlock | null {
    const rule = rules[0];
    if (!rule || chars <= MAX_CHECKED_CHARS) return null;
    const detail = `${chars} characters of text, over the ${MAX_CHECKED_CHARS} guardrails check`;
    this.record([{ rule: rule.name, type: rule.type, stage, action: 'block', detail }]);
    return blockOf(rule.name, stage, detail);
  }

  private async moderate(stage: 'input' | 'output', text: string): Promise<GuardrailBlock | null> {
    for (const rule of this.rules) {
      if (rule.type !== 'moderation' || (rule.stage !== 'both' && rule.stage !== stage)) continue;
      const decision = await moderate(this.ai, this.ctx, rule, stage, text);
      if (decision) this.record([decision]);
      if (decision?.action === 'block') return blockOf(rule.name, stage, decision.detail);
    }
    return null;
  }
}

/** Whether the rule needs an answer's whole text (a stream then holds its finish). */
const checksWholeAnswer = (rule: GuardrailRule): boolean =>
  rule.type === 'json_schema' || (rule.type === 'moderation' && ruleApplies(rule, 'output'));

/**
 * The texts whole-answer rules check: each choice's, except a choice that only calls tools (it has no
 * answer text to hold to a schema; its arguments went through the text rules).
 */
function answerTexts(completion: ChatCompletion): string[] {
  return completion.choices
    .filter((choice) => choice.message.content || !choice.message.tool_calls?.length)
    .map((choice) => choice.message.content ?? '');
}

/** Characters the text rules check in a completion: each choice's text and tool-call arguments. */
function completionChars(completion: ChatCompletion): number {
  let chars = 0;
  for (const { message } of completion.choices) {
    chars += message.content?.length ?? 0;
    for (const call of message.tool_calls ?? []) chars += call.function.arguments.length;
  }
  return chars;
}

/** Why an answer's text breaks the schema (each text is checked), or null. */
function schemaProblem(schema: Record<string, unknown>, texts: readonly string[]): string | null {
  const validator = cachedSchemaValidator(schema);
  if (typeof validator === 'string') return `the rule's schema does not compile: ${validator}`;
  for (const text of texts) {
    try {
      JSON.parse(text);
    } catch {
      return 'the answer is not JSON';
    }
    const errors = validateJsonText(validator, Buffer.from(text));
    if (errors.length > 0) {
      return `the answer does not match the schema: ${errors.map((e) => `${e.name || 'output'} ${e.message}`).join('; ')}`;
    }
  }
  return null;
}

export function blockOf(rule: string, stage: 'input' | 'output', why?: string): GuardrailBlock {
  const what = stage === 'input' ? 'The request was' : "The model's answer was";
  return { rule, stage, message: `${what} blocked by the guardrail '${rule}'${why ? `: ${why}` : ''}.` };
}
