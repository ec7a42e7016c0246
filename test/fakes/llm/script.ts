import { createHash, randomBytes } from 'node:crypto';

/*
 * What the fake models "say", decided the same way for every wire format so tests can predict it:
 * with tools offered (and not disabled) and no tool result yet, call a tool; after a tool result, answer
 * with a sentence that quotes the result (proving it reached the model); otherwise the configured reply.
 * Token counts are whitespace words, so tests can compute the exact usage a fake reports.
 */

/** A flavor-neutral view of a request, extracted by each wire format's handler. */
export interface ConversationView {
  /** every piece of prompt text (system, messages, tool results), for the prompt token count */
  promptText: string[];
  toolNames: string[];
  forcedTool: string | null;
  toolsDisabled: boolean;
  /** the results the last turn carried back, in order; empty when the last turn was not tool results */
  toolResults: string[];
  /** the caller's stop sequences: a text reply ends before the first one it contains */
  stopSequences: string[];
}

export interface ScriptOptions {
  reply: string;
  toolArguments: Record<string, unknown>;
  /** how many tools to call at once when tools are offered */
  parallelToolCalls: number;
}

interface PlannedToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export type ReplyPlan =
  | { kind: 'text'; text: string; stopSequence: string | null }
  | { kind: 'tools'; calls: PlannedToolCall[] };

export const DEFAULT_REPLY = 'Hello from the fake model. Ask me anything, and I will answer in small pieces.';

/**
 * The text as the real APIs return it when it contains one of the caller's stop sequences: cut before the
 * earliest occurrence, the sequence itself left out, and which sequence it was.
 */
function applyStopSequences(
  text: string,
  stops: readonly string[],
): { text: string; stopSequence: string | null } {
  let cut = text.length;
  let stopSequence: string | null = null;
  for (const stop of stops) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at !== -1 && at < cut) {
      cut = at;
      stopSequence = stop;
    }
  }
  return { text: text.slice(0, cut), stopSequence };
}

export function planReply(view: ConversationView, options: ScriptOptions, newId: () => string): ReplyPlan {
  const say = (text: string): ReplyPlan => ({
    kind: 'text',
    ...applyStopSequences(text, view.stopSequences),
  });
  if (view.toolResults.length > 0) return say(`The tool said: ${view.toolResults.join(' | ')}`);
  if (view.toolNames.length > 0 && !view.toolsDisabled) {
    const names = view.forcedTool ? [view.forcedTool] : view.toolNames.slice(0, options.parallelToolCalls);
    return {
      kind: 'tools',
      calls: names.map((name) => ({ id: newId(), name, arguments: options.toolArguments })),
    };
  }
  return say(options.reply);
}

/** Streamed "tokens": each word with the whitespace before it, so they concatenate back to the text. */
export const splitTokens = (text: string): string[] => text.match(/\s*\S+/g) ?? [];

export const countWords = (texts: readonly string[]): number =>
  texts.reduce((sum, text) => sum + splitTokens(text).length, 0);

/** Completion tokens of a plan: words of the text, or words of each call's name and JSON arguments. */
export function completionTokens(plan: ReplyPlan): number {
  if (plan.kind === 'text') return splitTokens(plan.text).length;
  return plan.calls.reduce((sum, call) => sum + 1 + Math.ceil(JSON.stringify(call.arguments).length / 4), 0);
}

/** Splits a JSON text into a few fragments, the way models stream tool arguments. */
export function fragments(text: string, pieces = 3): string[] {
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const out: string[] = [];
  for (let start = 0; start < text.length; start += size) out.push(text.slice(start, start + size));
  return out.length > 0 ? out : [''];
}

/** A deterministic unit-ish vector per text, so equal inputs embed equally. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const digest = createHash('sha256').update(text).digest();
  const vector: number[] = [];
  for (let i = 0; i < dimensions; i++) vector.push(((digest[i % digest.length] ?? 0) - 127.5) / 127.5);
  return vector;
}

export const randomToken = (bytes = 12): string => randomBytes(bytes).toString('base64url');

/** A key as providers quote a rejected one back: its first 8 and last 4 characters around asterisks. */
export function maskedKey(key: string): string {
  if (key.length <= 12) return key;
  return `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

/** The `stop` of an OpenAI-style request (a string or a list) as a list. */
export function stopList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((stop): stop is string => typeof stop === 'string') : [];
}

/** Text of OpenAI- or Anthropic-style content: a string or an array of blocks with `text`. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .join('');
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
