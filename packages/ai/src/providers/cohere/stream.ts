import type { ProviderError } from '../../errors.ts';
import type { SseEvent } from '../../sse.ts';
import type { CompletionUsage } from '../../types.ts';
import { asNumber, asString, ChunkEmitter, isRecord, randomId } from '../shared.ts';
import type { ChunkSink, InputUsage, StreamTranslator } from '../types.ts';
import { finishReasonFromCohere, mapCohereError, toolCallOf, usageFromCohere } from './response.ts';

/**
 * Cohere Chat v2 streams typed events: message-start, content-start/delta/end (text), tool-plan-delta,
 * tool-call-start/delta/end (the call's arguments in pieces), citation-*, and message-end with the
 * finish reason and usage, which is the protocol's end.
 */
export class CohereStreamTranslator implements StreamTranslator {
  done = false;
  error: ProviderError | null = null;
  usage: CompletionUsage | null = null;
  readonly inputUsage: InputUsage | null = null;
  private readonly out: ChunkEmitter;
  private started = false;
  private toolCalls = 0;

  constructor(model: string, emit: ChunkSink) {
    this.out = new ChunkEmitter(emit, '', model);
  }

  push(event: SseEvent): void {
    if (this.error || this.done) return;
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!isRecord(json)) return;
    const type = asString(json.type) ?? event.event;
    const message = isRecord(json.delta) && isRecord(json.delta.message) ? json.delta.message : {};
    if (event.event === 'error' || type === 'error') {
      const status = asNumber(json.status_code) ?? 500;
      this.error = mapCohereError(status >= 400 ? status : 500, event.data, {});
      return;
    }
    if (!this.started) {
      this.started = true;
      this.out.id = asString(json.id) ?? randomId('chatcmpl-');
      this.out.delta({ role: 'assistant', content: '' });
    }
    switch (type) {
      case 'content-delta': {
        const content = isRecord(message.content) ? asString(message.content.text) : undefined;
        if (content) this.out.delta({ content });
        break;
      }
      case 'tool-call-start': {
        const call = toolCallOf(message.tool_calls);
        if (call) {
          this.out.delta({
            tool_calls: [{ index: this.toolCalls, id: call.id, type: 'function', function: call.function }],
          });
          this.toolCalls++;
        }
        break;
      }
      case 'tool-call-delta': {
        const fn =
          isRecord(message.tool_calls) && isRecord(message.tool_calls.function)
            ? message.tool_calls.function
            : {};
        const piece = asString(fn.arguments);
        if (piece && this.toolCalls > 0) {
          this.out.delta({ tool_calls: [{ index: this.toolCalls - 1, function: { arguments: piece } }] });
        }
        break;
      }
      case 'message-end': {
        const delta = isRecord(json.delta) ? json.delta : {};
        if (delta.finish_reason === 'ERROR' || delta.error !== undefined) {
          const message = asString(delta.error) ?? 'The model failed while answering.';
          this.error = mapCohereError(500, JSON.stringify({ message }), {});
          return;
        }
        this.done = true;
        this.out.delta({}, finishReasonFromCohere(delta.finish_reason, this.toolCalls > 0));
        this.usage = usageFromCohere(delta.usage);
        if (this.usage) this.out.usage(this.usage);
        break;
      }
    }
  }

  end(): void {
    // usage, when reported, went out with message-end
  }
}
