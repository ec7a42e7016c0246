import { extractErrorFields, mapUpstreamError, type ProviderError } from '../../errors.ts';
import type { SseEvent } from '../../sse.ts';
import type { ChatCompletionRequest, CompletionUsage, FinishReason } from '../../types.ts';
import { asNumber, asString, ChunkEmitter, isRecord, randomId } from '../shared.ts';
import type { ChunkSink, InputUsage, StreamTranslator } from '../types.ts';
import {
  finishReasonOf,
  STATUS_BY_ANTHROPIC_ERROR,
  stopSequenceField,
  usageFromAnthropic,
} from './response.ts';
import { formatToolName } from './structured.ts';

/**
 * Anthropic's event stream → OpenAI chunks. message_start opens (role chunk, input usage), text and
 * tool_use content blocks become content and tool_call deltas (tool calls numbered in order of
 * appearance; the structured-output tool's JSON becomes content), message_delta brings the stop reason,
 * the matched stop sequence and the cumulative output tokens, message_stop ends it with the usage chunk.
 */
export class AnthropicStreamTranslator implements StreamTranslator {
  done = false;
  error: ProviderError | null = null;
  usage: CompletionUsage | null = null;
  inputUsage: InputUsage | null = null;
  private readonly out: ChunkEmitter;
  /** content block index → tool call index (text and other blocks are absent) */
  private readonly toolIndexByBlock = new Map<number, number>();
  private toolCount = 0;
  private messageUsage: Record<string, unknown> = {};
  private finishReason: FinishReason | null = null;
  private usageEmitted = false;
  private readonly formatTool: string | null;
  /** content block index of the structured-output tool's input, and whether any of it was sent */
  private formatBlock: number | null = null;
  private formatSent = false;

  constructor(model: string, emit: ChunkSink, request?: ChatCompletionRequest) {
    this.out = new ChunkEmitter(emit, '', model);
    this.formatTool = formatToolName(request);
  }

  push(event: SseEvent): void {
    if (this.done || this.error) return;
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!isRecord(json)) return;
    switch (event.event || json.type) {
      case 'message_start':
        this.start(json.message);
        break;
      case 'content_block_start':
        this.blockStart(json);
        break;
      case 'content_block_delta':
        this.blockDelta(json);
        break;
      case 'content_block_stop':
        this.blockStop(json);
        break;
      case 'message_delta':
        this.messageDelta(json);
        break;
      case 'message_stop':
        this.done = true;
        this.flushUsage();
        break;
      case 'error':
        this.fail(json);
        break;
      default:
        // ping and event types added later carry nothing to translate.
        break;
    }
  }

  end(): void {
    if (this.finishReason !== null) this.flushUsage();
  }

  private start(message: unknown): void {
    const m = isRecord(message) ? message : {};
    this.out.id = asString(m.id) ?? randomId('msg_');
    this.out.model = asString(m.model) ?? this.out.model;
    if (isRecord(m.usage)) {
      this.messageUsage = { ...m.usage };
      const input = usageFromAnthropic(this.messageUsage);
      this.inputUsage = {
        promptTokens: input.prompt_tokens,
        cachedPromptTokens: input.prompt_tokens_details?.cached_tokens ?? 0,
      };
    }
    this.out.delta({ role: 'assistant', content: '' });
  }

  private blockStart(json: Record<string, unknown>): void {
    const index = asNumber(json.index) ?? 0;
    const block = isRecord(json.content_block) ? json.content_block : {};
    if (block.type === 'text') {
      if (typeof block.text === 'string' && block.text) this.out.delta({ content: block.text });
    } else if (block.type === 'tool_use' && this.formatTool !== null && block.name === this.formatTool) {
      this.formatBlock = index;
    } else if (block.type === 'tool_use') {
      const toolIndex = this.toolCount++;
      this.toolIndexByBlock.set(index, toolIndex);
      this.out.delta({
        tool_calls: [
          {
            index: toolIndex,
            id: asString(block.id) ?? randomId('toolu_'),
            type: 'function',
            function: { name: asString(block.name) ?? '', arguments: '' },
          },
        ],
      });
    }
  }

  private blockDelta(json: Record<string, unknown>): void {
    const delta = isRecord(json.delta) ? json.delta : {};
    if (delta.type === 'text_delta') {
      if (typeof delta.text === 'string' && delta.text) this.out.delta({ content: delta.text });
    } else if (delta.type === 'input_json_delta' && this.isFormatBlock(json)) {
      if (typeof delta.partial_json === 'string' && delta.partial_json) {
        this.formatSent = true;
        this.out.delta({ content: delta.partial_json });
      }
    } else if (delta.type === 'input_json_delta') {
      const toolIndex = this.toolIndexByBlock.get(asNumber(json.index) ?? -1);
      const partial = delta.partial_json;
      if (toolIndex === undefined || typeof partial !== 'string' || partial === '') return;
      this.out.delta({ tool_calls: [{ index: toolIndex, function: { arguments: partial } }] });
    }
  }

  /** A format tool called with an empty input streams no JSON at all; its answer is still `{}`. */
  private blockStop(json: Record<string, unknown>): void {
    if (!this.isFormatBlock(json) || this.formatSent) return;
    this.formatSent = true;
    this.out.delta({ content: '{}' });
  }

  private isFormatBlock(json: Record<string, unknown>): boolean {
    return this.formatBlock !== null && this.formatBlock === asNumber(json.index);
  }

  private messageDelta(json: Record<string, unknown>): void {
    // Cumulative counts: later values replace earlier ones (message_start's input, the running output).
    if (isRecord(json.usage)) {
      for (const [key, value] of Object.entries(json.usage)) {
        if (value != null) this.messageUsage[key] = value;
      }
      this.usage = usageFromAnthropic(this.messageUsage);
    }
    const delta = isRecord(json.delta) ? json.delta : {};
    if (delta.stop_reason != null && this.finishReason === null) {
      this.finishReason = finishReasonOf(delta.stop_reason, this.toolCount);
      this.out.delta({}, this.finishReason, 0, stopSequenceField(delta.stop_reason, delta.stop_sequence));
    }
  }

  private fail(json: Record<string, unknown>): void {
    const type = isRecord(json.error) ? asString(json.error.type) : undefined;
    const status = STATUS_BY_ANTHROPIC_ERROR[type ?? ''] ?? 500;
    this.error = mapUpstreamError(status, extractErrorFields(JSON.stringify(json)), {});
  }

  private flushUsage(): void {
    if (this.usageEmitted || !this.usage) return;
    this.usageEmitted = true;
    this.out.usage(this.usage);
  }
}
