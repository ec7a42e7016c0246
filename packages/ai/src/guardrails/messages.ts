import type { ChatCompletion, ChatMessage } from '../types.ts';
import { applyTextRules, type TextRule } from './text-rules.ts';

/*
 * Text rules over a chat request's messages (every text: system, user, assistant, tool results) and over
 * a completion's choices. Each text is checked on its own; a redaction rewrites the text in place and
 * leaves everything else (images, tool calls, names) as it was.
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
  const check = (text: string): string => {
    if (blocked || text === '') return text;
    const verdict = applyTextRules(text, rules);
    if (verdict.blocked) {
      blocked = verdict.blocked;
      return text;
    }
    for (const [rule, count] of verdict.redacted) redacted.set(rule, (redacted.get(rule) ?? 0) + count);
    return verdict.text;
  };
  return { check, result: () => ({ blocked, redacted }) };
}

/** The messages with every text checked (redacted where a rule says so), or the rule that blocks. */
export function checkMessages(
  messages: readonly ChatMessage[],
  rules: readonly TextRule[],
): MessagesVerdict<ChatMessage[]> {
  const { check, result } = checker(rules);
  const value = messages.map((message) => {
    if (message.content === null || message.content === undefined) return message;
    return { ...message, content: mapContent(message.content, check) } as ChatMessage;
  });
  return { value, ...result() };
}

/** A completion with every choice's text checked, or the rule that blocks. */
export function checkCompletion(
  completion: ChatCompletion,
  rules: readonly TextRule[],
): MessagesVerdict<ChatCompletion> {
  const { check, result } = checker(rules);
  const choices = completion.choices.map((choice) =>
    typeof choice.message.content === 'string'
      ? { ...choice, message: { ...choice.message, content: check(choice.message.content) } }
      : choice,
  );
  return { value: { ...completion, choices }, ...result() };
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
