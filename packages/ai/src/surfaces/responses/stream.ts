import type { AiCallError } from '../../errors.ts';
import { sseNamedEvent } from '../../sse.ts';
import type { ChatCompletionChunk, FinishReason, TokenUsage } from '../../types.ts';
import {
  type FunctionCallItem,
  finishResponse,
  newFunctionCallId,
  newMessageId,
  type OutputMessageItem,
  type ResponseObject,
} from './response.ts';

/**
 * Unified chunks → the Responses event stream: response.created and response.in_progress, then per run
 * of text a message item (output_item.added, content_part.added, output_text.delta…, output_text.done,
 * content_part.done, output_item.done) and per tool call a function_call item (output_item.added,
 * function_call_arguments.delta…/done, output_item.done), each event with its sequence_number. The
 * terminal event (response.completed / response.incomplete, or error + response.failed) is written by
 * `complete` once the caller has done what must precede it (storing the response). First choice only.
 */
export class ResponsesStreamEncoder {
  private sequence = 0;
  private started = false;
  private text: { index: number; item: OutputMessageItem } | null = null;
  private readonly tools = new Map<number, { index: number; item: FunctionCallItem }>();
  private readonly output: (OutputMessageItem | FunctionCallItem)[] = [];
  private finishReason: FinishReason | null = null;

  constructor(
    private readonly response: ResponseObject,
    private readonly write: (frame: string) => void,
  ) {}

  private event(type: string, payload: Record<string, unknown>): void {
    const json = JSON.stringify({ type, sequence_number: this.sequence++, ...payload });
    this.write(sseNamedEvent(type, json));
  }

  /** response.created and response.in_progress, before the provider's first chunk. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.event('response.created', { response: this.response });
    this.event('response.in_progress', { response: this.response });
  }

  private closeText(): void {
    if (!this.text) return;
    const { index, item } = this.text;
    const part = item.content[0];
    const ids = { item_id: item.id, output_index: index, content_index: 0 };
    this.event('response.output_text.done', { ...ids, text: part?.text ?? '', logprobs: [] });
    this.event('response.content_part.done', { ...ids, part });
    item.status = 'completed';
    this.event('response.output_item.done', { output_index: index, item });
    this.text = null;
  }

  private appendText(delta: string): void {
    if (!this.text) {
      const item: OutputMessageItem = {
        type: 'message',
        id: newMessageId(),
        status: 'in_progress',
        role: 'assistant',
        content: [],
      };
      const index = this.output.push(item) - 1;
      this.text = { index, item };
      this.event('response.output_item.added', { output_index: index, item: { ...item, content: [] } });
      const part = { type: 'output_text' as const, text: '', annotations: [], logprobs: [] };
      this.event('response.content_part.added', {
        item_id: item.id,
        output_index: index,
        content_index: 0,
        part,
      });
      item.content.push({ ...part });
    }
    const { index, item } = this.text;
    const part = item.content[0];
    if (part) part.text += delta;
    this.event('response.output_text.delta', {
      item_id: item.id,
      output_index: index,
      content_index: 0,
      delta,
      logprobs: [],
    });
  }

  private toolDelta(toolIndex: number, callId: string | undefined, name: string, args: string): void {
    let open = this.tools.get(toolIndex);
    if (!open) {
      this.closeText();
      const item: FunctionCallItem = {
        type: 'function_call',
        id: newFunctionCallId(),
        status: 'in_progress',
        call_id: callId ?? `call_${toolIndex}`,
        name,
        arguments: '',
      };
      open = { index: this.output.push(item) - 1, item };
      this.tools.set(toolIndex, open);
      this.event('response.output_item.added', { output_index: open.index, item: { ...item } });
    }
    if (!args) return;
    open.item.arguments += args;
    this.event('response.function_call_arguments.delta', {
      item_id: open.item.id,
      output_index: open.index,
      delta: args,
    });
  }

  push(chunk: ChatCompletionChunk): void {
    this.start();
    const choice = chunk.choices.find((c) => c.index === 0);
    if (!choice) return;
    const delta = choice.delta;
    if (typeof delta.content === 'string' && delta.content) this.appendText(delta.content);
    for (const call of delta.tool_calls ?? []) {
      this.toolDelta(call.index, call.id, call.function?.name ?? '', call.function?.arguments ?? '');
    }
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
  }

  /**
   * Closes the open items and returns the finished Response (completed, incomplete, or failed when the
   * stream broke); nothing terminal is written yet.
   */
  finish(usage: TokenUsage, error: AiCallError | null): ResponseObject {
    this.start();
    this.closeText();
    for (const { index, item } of [...this.tools.values()].sort((a, b) => a.index - b.index)) {
      const ids = { item_id: item.id, output_index: index };
      this.event('response.function_call_arguments.done', {
        ...ids,
        name: item.name,
        arguments: item.arguments,
      });
      item.status = 'completed';
      this.event('response.output_item.done', { output_index: index, item });
    }
    this.tools.clear();
    const done = finishResponse({ ...this.response, output: this.output }, this.finishReason, usage);
    if (!error) return done;
    const code = error.body.error.code ?? error.body.error.type;
    return { ...done, status: 'failed', error: { code, message: error.body.error.message } };
  }

  /** The terminal event(s) for a finished Response. */
  complete(response: ResponseObject): void {
    if (response.status === 'failed' && response.error) {
      this.event('error', { code: response.error.code, message: response.error.message, param: null });
      this.event('response.failed', { response });
      return;
    }
    const type = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
    this.event(type, { response });
  }
}
