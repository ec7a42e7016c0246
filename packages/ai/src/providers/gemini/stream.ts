import type { ProviderError } from '../../errors.ts';
import type { SseEvent } from '../../sse.ts';
import type { CompletionUsage } from '../../types.ts';
import { asString, ChunkEmitter, isRecord, randomId } from '../shared.ts';
import type { ChunkSink, InputUsage, StreamTranslator } from '../types.ts';
import { candidateParts, finishReasonFromGemini, mapGeminiError, usageFromGemini } from './response.ts';

/**
 * streamGenerateContent?alt=sse sends whole GenerateContentResponse objects, each with the next slice of
 * text (function calls arrive complete), the running usageMetadata, and a finishReason on the last one.
 * There is no end marker: the body ending is the end, so usage is emitted at `end()`. The running
 * usageMetadata counts the prompt exactly from the first response on, but the candidates only once the
 * answer is finished, so it is the usage only from the finishing response on (before, its prompt count).
 */
export class GeminiStreamTranslator implements StreamTranslator {
  done = false;
  error: ProviderError | null = null;
  usage: CompletionUsage | null = null;
  inputUsage: InputUsage | null = null;
  private running: CompletionUsage | null = null;
  private readonly out: ChunkEmitter;
  private started = false;
  private usageEmitted = false;
  /** candidate index → tool calls emitted so far (tool call indexes are per choice) */
  private readonly toolCounts = new Map<number, number>();

  constructor(model: string, emit: ChunkSink) {
    this.out = new ChunkEmitter(emit, '', model);
  }

  push(event: SseEvent): void {
    if (this.error) return;
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!isRecord(json)) return;
    if (json.error !== undefined) {
      const code = isRecord(json.error) ? Number(json.error.code) : Number.NaN;
      this.error = mapGeminiError(Number.isInteger(code) && code >= 400 ? code : 500, event.data, {});
      return;
    }
    if (!this.started) {
      this.started = true;
      this.out.id = asString(json.responseId) ?? randomId('chatcmpl-');
      this.out.model = asString(json.modelVersion) ?? this.out.model;
      this.out.delta({ role: 'assistant', content: '' });
    }
    const usage = usageFromGemini(json.usageMetadata);
    if (usage) {
      this.running = usage;
      this.inputUsage = {
        promptTokens: usage.prompt_tokens,
        cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
      };
    }
    const candidates = Array.isArray(json.candidates) ? json.candidates : [];
    for (let position = 0; position < candidates.length; position++) {
      const candidate = candidates[position];
      if (!isRecord(candidate)) continue;
      const index = typeof candidate.index === 'number' ? candidate.index : position;
      const { text, calls } = candidateParts(candidate);
      if (text) this.out.delta({ content: text }, null, index);
      let toolCount = this.toolCounts.get(index) ?? 0;
      for (const call of calls) {
        this.out.delta(
          { tool_calls: [{ index: toolCount++, id: call.id, type: 'function', function: call.function }] },
          null,
          index,
        );
      }
      this.toolCounts.set(index, toolCount);
      const finish = finishReasonFromGemini(candidate.finishReason, toolCount > 0);
      if (finish) {
        this.done = true;
        this.out.delta({}, finish, index);
      }
    }
    if (this.done) this.usage = this.running;
  }

  end(): void {
    // A body that ended cleanly was a finished answer, whether or not a finishReason said so.
    this.usage ??= this.running;
    if (this.usageEmitted || !this.usage) return;
    this.usageEmitted = true;
    this.out.usage(this.usage);
  }
}
