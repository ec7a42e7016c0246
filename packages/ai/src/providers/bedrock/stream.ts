import type { ProviderError } from '../../errors.ts';
import type { SseEvent } from '../../sse.ts';
import type { CompletionUsage } from '../../types.ts';
import { asNumber, asString, ChunkEmitter, isRecord, randomId } from '../shared.ts';
import type { ChunkSink, InputUsage, StreamTranslator } from '../types.ts';
import {
  finishReasonOf,
  mapBedrockException,
  STATUS_BY_STREAM_EXCEPTION,
  stopSequenceOf,
  usageFromBedrock,
} from './response.ts';

/*
 * ConverseStream events (decoded by eventstream.ts) → OpenAI chunks: messageStart opens with the role
 * chunk, contentBlockStart announces a tool call, contentBlockDelta carries text or a tool call's JSON
 * input, messageStop the stop reason, metadata the usage, which ends the stream with the usage chunk.
 * An exception inside the stream (throttling, a model error) fails it.
 */
export class BedrockStreamTranslator implements StreamTranslator {
  done = false;
  error: ProviderError | null = null;
  usage: CompletionUsage | null = null;
  /** Bedrock reports no usage before the stream's end */
  readonly inputUsage: InputUsage | null = null;
  private readonly out: ChunkEmitter;
  /** content block index → tool call index */
  private readonly toolIndexByBlock = new Map<number, number>();
  private toolCount = 0;
  private started = false;
  private finished = false;

  constructor(model: string, emit: ChunkSink) {
    this.out = new ChunkEmitter(emit, randomId('chatcmpl-'), model);
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
    switch (event.event) {
      case 'messageStart':
        this.start();
        break;
      case 'contentBlockStart':
        this.blockStart(json);
        break;
      case 'contentBlockDelta':
        this.blockDelta(json);
        break;
      case 'messageStop':
        this.stop(json);
        break;
      case 'metadata':
        this.metadata(json);
        break;
      case 'exception':
        this.fail(json);
        break;
      default:
        // contentBlockStop, and event types added later, carry nothing to translate.
        break;
    }
  }

  end(): void {
    // A stream cut after messageStop but before metadata has no usage; the caller estimates it.
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.out.delta({ role: 'assistant', content: '' });
  }

  private blockStart(json: Record<string, unknown>): void {
    const start = isRecord(json.start) ? json.start : {};
    if (!isRecord(start.toolUse)) return;
    this.start();
    const index = asNumber(json.contentBlockIndex) ?? 0;
    const toolIndex = this.toolCount++;
    this.toolIndexByBlock.set(index, toolIndex);
    this.out.delta({
      tool_calls: [
        {
          index: toolIndex,
          id: asString(start.toolUse.toolUseId) ?? randomId('tooluse_'),
          type: 'function',
          function: { name: asString(start.toolUse.name) ?? '', arguments: '' },
        },
      ],
    });
  }

  private blockDelta(json: Record<string, unknown>): void {
    const delta = isRecord(json.delta) ? json.delta : {};
    this.start();
    if (typeof delta.text === 'string') {
      if (delta.text) this.out.delta({ content: delta.text });
    } else if (isRecord(delta.toolUse)) {
      const toolIndex = this.toolIndexByBlock.get(asNumber(json.contentBlockIndex) ?? -1);
      const input = delta.toolUse.input;
      if (toolIndex === undefined || typeof input !== 'string' || input === '') return;
      this.out.delta({ tool_calls: [{ index: toolIndex, function: { arguments: input } }] });
    }
    // reasoningContent deltas have no place in a chat completion chunk.
  }

  private stop(json: Record<string, unknown>): void {
    if (this.finished) return;
    this.finished = true;
    this.start();
    const reason = finishReasonOf(json.stopReason);
    this.out.delta({}, reason, 0, stopSequenceOf(json.stopReason, json.additionalModelResponseFields));
  }

  private metadata(json: Record<string, unknown>): void {
    if (!isRecord(json.usage)) return;
    this.usage = usageFromBedrock(json.usage);
    this.done = true;
    this.out.usage(this.usage);
  }

  private fail(json: Record<string, unknown>): void {
    const type = asString(json.__type) ?? '';
    const status = STATUS_BY_STREAM_EXCEPTION[type] ?? 500;
    // Wire names are lowerCamel (throttlingException); the HTTP ones are not.
    const name = type.charAt(0).toUpperCase() + type.slice(1);
    this.error = mapBedrockException(status, name, asString(json.message), {});
  }
}
