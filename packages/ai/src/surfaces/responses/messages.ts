import type { ChatMessage, ToolCall, UserContentPart } from '../../types.ts';
import type { ResponseInputItem } from './request.ts';

type MessageItem = Extract<ResponseInputItem, { type: 'message' }>;
type ContentPart = Exclude<MessageItem['content'], string>[number];
type AssistantMessage = Extract<ChatMessage, { role: 'assistant' }>;

const partText = (part: ContentPart): string => {
  if (part.type === 'input_text' || part.type === 'output_text') return part.text;
  return part.type === 'refusal' ? part.refusal : '';
};

const textOf = (content: MessageItem['content']): string =>
  typeof content === 'string' ? content : content.map(partText).join('');

function userContent(content: MessageItem['content']): Extract<ChatMessage, { role: 'user' }>['content'] {
  if (typeof content === 'string') return content;
  if (content.every((part) => part.type !== 'input_image')) return textOf(content);
  const parts: UserContentPart[] = [];
  for (const part of content) {
    if (part.type === 'input_image') {
      parts.push({
        type: 'image_url',
        image_url: { url: part.image_url, ...(part.detail ? { detail: part.detail } : {}) },
      });
    } else parts.push({ type: 'text', text: partText(part) });
  }
  return parts;
}

function toolOutput(output: Extract<ResponseInputItem, { type: 'function_call_output' }>['output']): string {
  if (typeof output === 'string') return output;
  return output.map((part) => (part.type === 'input_text' ? part.text : '')).join('');
}

/**
 * Responses items as chat messages. An assistant message and the function calls after it become one
 * assistant turn with tool_calls (providers such as Anthropic need each call in the turn the results
 * answer); function_call_output items become tool messages.
 */
export function itemsToMessages(items: readonly ResponseInputItem[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let assistant: AssistantMessage | null = null;
  let calls: ToolCall[] = [];
  const flush = () => {
    if (!assistant) return;
    if (calls.length > 0) assistant.tool_calls = calls;
    if (!assistant.content && calls.length === 0) assistant.content = '';
    messages.push(assistant);
    assistant = null;
    calls = [];
  };
  for (const item of items) {
    switch (item.type) {
      case 'reasoning':
        break;
      case 'function_call':
        assistant ??= { role: 'assistant', content: null };
        calls.push({
          id: item.call_id,
          type: 'function',
          function: { name: item.name, arguments: item.arguments },
        });
        break;
      case 'function_call_output':
        flush();
        messages.push({ role: 'tool', tool_call_id: item.call_id, content: toolOutput(item.output) });
        break;
      case 'message':
        flush();
        if (item.role === 'assistant')
          assistant = { role: 'assistant', content: textOf(item.content) || null };
        else if (item.role === 'user') messages.push({ role: 'user', content: userContent(item.content) });
        else messages.push({ role: 'system', content: textOf(item.content) });
        break;
    }
  }
  flush();
  return messages;
}
