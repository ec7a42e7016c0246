import type { AiCallError } from '../../errors.ts';
import { sseNamedEvent } from '../../sse.ts';
import type { ChatCompletionChunk, FinishReason, TokenUsage } from '../../types.ts';
import {
  type AnthropicMessage,
  anthropicErrorObject,
  anthropicMessageId,
  anthropicUsage,
  stopReasonFromFinish,
} from './response.ts';

type OpenBlock = { kind: 'text'; index: number } | { kind: 'tool'; index: number; toolIndex: number };

/**
 * Unified chunks → Anthropic's event stream, frame by frame: message_start with the input tokens, one
 * content block per run of text or per tool call (content_block_start / _delta / _stop), then
 * message_delta with the stop reason (and matched stop sequence) and the final usage, and message_stop.
 * Only the first choice is encoded (Anthropic has no n).
 */
export class AnthropicStreamEncoder {
  private started = false;
  private open: OpenBlock | null = null;
  private blockCount = 0;
  private readonly blockByTool = new Map<number, number>();
  private finishReason: FinishReason | null = null;
  private stopSequence: string | null = null;

  /**
   * `startUsage` goes into message_start, as Anthropic's API sends the input tokens there (and the
   * output so far); message_delta's usage is the final count.
   */
  constructor(
    private readonly model: string,
    private readonly write: (frame: string) => void,
    private readonly startUsage: AnthropicMessage['usage'],
  ) {}

  private event(type: string, payload: Record<string, unknown>): void {
    this.write(sseNamedEvent(type, JSON.stringify({ type, ...payload })));
  }

  private start(id: string): void {
    this.started = true;
    this.event('message_start', {
      message: {
        id: anthropicMessageId(id),
        type: 'message',
        role: 'assistant',
        model: this.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: this.startUsage,
      },
    });
  }

  private closeOpen(): void {
    if (!this.open) return;
    this.event('content_block_stop', { index: this.open.index });
    this.open = null;
  }

  private text(text: string): void {
    if (this.open?.kind !== 'text') {
      this.closeOpen();
      this.open = { kind: 'text', index: this.blockCount++ };
      this.event('content_block_start', {
        index: this.open.index,
        content_block: { type: 'text', text: '' },
      });
    }
    this.event('content_block_delta', { index: this.open.index, delta: { type: 'text_delta', text } });
  }

  private toolStart(toolIndex: number, id: string, name: string): void {
    this.closeOpen();
    const index = this.blockCount++;
    this.open = { kind: 'tool', index, toolIndex };
    this.blockByTool.set(toolIndex, index);
    this.event('content_block_start', { index, content_block: { type: 'tool_use', id, name, input: {} } });
  }

  push(chunk: ChatCompletionChunk): void {
    if (!this.started) this.start(chunk.id);
    const choice = chunk.choices.find((c) => c.index === 0);
    if (!choice) return;
    const delta = choice.delta;
    if (typeof delta.content === 'string' && delta.content) this.text(delta.content);
    for (const call of delta.tool_calls ?? []) {
      if (!this.blockByTool.has(call.index)) {
        this.toolStart(call.index, call.id ?? `toolu_${call.index}`, call.function?.name ?? '');
      }
      const args = call.function?.arguments;
      const index = this.blockByTool.get(call.index);
      if (args && index !== undefined) {
        this.event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: args } });
      }
    }
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    if (choice.stop_sequence !== undefined) this.stopSequence = choice.stop_sequence;
  }

  /** Ends the message: the stop reason and usage, or an `error` event when the stream failed. */
  finish(usage: TokenUsage, error: AiCallError | null): void {
    if (!this.started) this.start(`msg_${Date.now()}`);
    this.closeOpen();
    if (error) {
      this.event('error', { error: anthropicErrorObject(error.status, error.body) });
      return;
    }
    const { input_tokens, output_tokens, cache_read_input_tokens } = anthropicUsage(usage);
    this.event('message_delta', {
      delta: {
        stop_reason: stopReasonFromFinish(this.finishReason, this.stopSequence),
        stop_sequence: this.stopSequence,
      },
      usage: {
        input_tokens,
        output_tokens,
        ...(cache_read_input_tokens ? { cache_read_input_tokens } : {}),
      },
    });
    this.event('message_stop', {});
  }
}
