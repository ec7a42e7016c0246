import type { ChatCompletion, ChatMessage, ToolCall } from '../types.ts';
import { applyTextRules, type TextRule, type TextVerdict } from './text-rules.ts';
import { applyRulesToArguments } from './tool-arguments.ts';

/*
 * Text rules over a chat request's messages (every text: system, user, assistant, tool results, and the
 * arguments of the assistant's tool calls) and over a completion's choices (text and tool calls). Each
 * text is checked on its own; a redaction rewrites the text in place and leaves everything else (images,
 * names, tool-call ids) as it was. Arguments are checked as JSON (tool-arguments.ts).
 */

export interface MessagesVerdict<T> {
  value: T;
  blocked: TextRule | null;
  redacted: Map<TextRule, number>;
}

type Content = ChatMessage['content'];

function mapContent(content: Content, map: (text: string) => string): Content {
  if (typeof content === 'string') return map(content);
  if (!Array.isArray(content)) return content;
  return content.map((part) => (part.type === 'text' ? { ...part, text: map(part.text) } : part)) as Content;
}

function checker(rules: readonly TextRule[]) {
  const redacted = new Map<TextRule, number>();
  let blocked: TextRule | null = null;
  const run = (text: string, apply: (text: string, rules: readonly TextRule[]) => TextVerdict): string => {
    if (blocked || text === '') return text;
    const verdict = apply(text, rules);
    if (verdict.blocked) {
      blocked = verdict.blocked;
      return text;
    }
    for (const [rule, count] of verdict.redacted) redacted.set(rule, (redacted.get(rule) ?? 0) + count);
    return verdict.text;
  };
  const check = (text: string) => run(text, applyTextRules);
  const checkCalls = (calls: readonly ToolCall[]): ToolCall[] =>
    calls.map((call) => {
      const args = run(call.function.arguments, applyRulesToArguments);
      return args === call.function.arguments
        ? call
        : { ...call, function: { ...call.function, arguments: args } };
    });
  return { check, checkCalls, result: () => ({ blocked, redacted }) };
}

/** The messages with every text checked (redacted where a rule says so), or the rule that blocks. */
export function checkMessages(
  messages: readonly ChatMessage[],
  rules: readonly TextRule[],
): MessagesVerdict<ChatMessage[]> {
  const { check, checkCalls, result } = checker(rules);
  const value = messages.map((message) => {
    let checked = message;
    if (message.content !== null && message.content !== undefined) {
      checked = { ...message, content: mapContent(message.content, check) } as ChatMessage;
    }
    if (checked.role === 'assistant' && checked.tool_calls) {
      checked = { ...checked, tool_calls: checkCalls(checked.tool_calls) };
    }
    return checked;
  });
  return { value, ...result() };
}

/** A completion with every choice's text checked, or the rule that blocks. */
export function checkCompletion(
  completion: ChatCompletion,
  rules: readonly TextRule[],
): MessagesVerdict<ChatCompletion> {
  const { check, checkCalls, result } = checker(rules);
  const choices = completion.choices.map((choice) => {
    const { content, tool_calls } = choice.message;
    const message = { ...choice.message };
    if (typeof content === 'string') message.content = check(content);
    if (tool_calls) message.tool_calls = checkCalls(tool_calls);
    return { ...choice, message };
  });
  return { value: { ...completion, choices }, ...result() };
}

/** How many characters the text rules check in these messages: texts and tool-call arguments. */
export function checkedChars(messages: readonly ChatMessage[]): number {
  let chars = messagesText(messages).length;
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const call of message.tool_calls ?? []) chars += call.function.arguments.length;
  }
  return chars;
}

/** Every text of the messages joined (for moderation and token checks). */
export function messagesText(messages: readonly ChatMessage[]): string {
  const texts: string[] = [];
  for (const message of messages) {
    const content = message.content;
    if (typeof content === 'string') texts.push(content);
    else if (Array.isArray(content)) {
      for (const part of content) if (part.type === 'text') texts.push(part.text);
    }
  }
  return texts.join('\n');
}
