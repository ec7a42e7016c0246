import { extractErrorFields, mapUpstreamError, type ProviderError } from '../../errors.ts';
import { SSE_DONE_DATA, type SseEvent } from '../../sse.ts';
import type { ChunkDelta, CompletionUsage, ToolCallDelta } from '../../types.ts';
import { nowSeconds } from '../../types.ts';
import { asNumber, asString, isRecord, randomId } from '../shared.ts';
import type { ChunkSink, InputUsage, StreamTranslator } from '../types.ts';
import { normalizeFinishReason, normalizeUsage, stopSequenceOf } from './response.ts';

/** The status an in-stream `{error}` stands for: its numeric code when it has one, else a server error. */
function inStreamErrorStatus(data: string): number {
  const code = Number(extractErrorFields(data)?.code);
  return Number.isInteger(code) && code >= 400 && code < 600 ? code : 500;
}

function normalizeToolCallDeltas(value: unknown): ToolCallDelta[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const deltas: ToolCallDelta[] = [];
  for (let position = 0; position < value.length; position++) {
    const raw = value[position];
    if (!isRecord(raw)) continue;
    const delta: ToolCallDelta = { index: asNumber(raw.index) ?? position };
    if (typeof raw.id === 'string') delta.id = raw.id;
    if (raw.type === 'function' || typeof raw.id === 'string') delta.type = 'function';
    const fn = raw.function;
    if (isRecord(fn)) {
      const out: { name?: string; arguments?: string } = {};
      if (typeof fn.name === 'string') out.name = fn.name;
      // Some servers send the arguments of a complete call as an object rather than JSON text.
      if (typeof fn.arguments === 'string') out.arguments = fn.arguments;
      else if (fn.arguments !== undefined) out.arguments = JSON.stringify(fn.arguments);
      delta.function = out;
    }
    deltas.push(delta);
  }
  return deltas;
}

/**
 * OpenAI's own stream needs almost no translation: chunks are re-emitted clean (vendor fields dropped,
 * empty Azure content-filter chunks skipped) and the usage, wherever the server puts it (a usage-only
 * chunk, the finish chunk as Mistral does, `x_groq.usage`), is held back and emitted last.
 */
export class OpenAIStreamTranslator implements StreamTranslator {
  done = false;
  error: ProviderError | null = null;
  usage: CompletionUsage | null = null;
  /** OpenAI-style servers report usage only at the end */
  readonly inputUsage: InputUsage | null = null;
  private usageEmitted = false;
  private id = '';
  private created = 0;

  constructor(
    private model: string,
    private readonly emit: ChunkSink,
  ) {}

  push(event: SseEvent): void {
    if (this.done || this.error) return;
    const data = event.data;
    if (data === SSE_DONE_DATA) {
      this.done = true;
      this.flushUsage();
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return; // keep-alive noise some servers interleave
    }
    if (!isRecord(json)) return;
    if (json.error !== undefined || event.event === 'error') {
      this.error = mapUpstreamError(inStreamErrorStatus(data), extractErrorFields(data), {});
      return;
    }
    // Azure opens with an anonymous content-filter chunk (id "", model ""); take identity from the first real one.
    if (!this.id && asString(json.id)) {
      this.id = json.id as string;
      this.created = asNumber(json.created) || nowSeconds();
      this.model = asString(json.model) || this.model;
    }
    const usage =
      normalizeUsage(json.usage) ?? (isRecord(json.x_groq) ? normalizeUsage(json.x_groq.usage) : null);
    if (usage) this.usage = usage;
    const choices = json.choices;
    if (!Array.isArray(choices)) return;
    for (let position = 0; position < choices.length; position++) {
      const choice = choices[position];
      if (!isRecord(choice)) continue;
      const rawDelta = isRecord(choice.delta) ? choice.delta : {};
      const delta: ChunkDelta = {};
      let meaningful = false;
      if (rawDelta.role === 'assistant') {
        delta.role = 'assistant';
        meaningful = true;
      }
      if (typeof rawDelta.content === 'string') {
        delta.content = rawDelta.content;
        meaningful = true;
      }
      if (typeof rawDelta.refusal === 'string') {
        delta.refusal = rawDelta.refusal;
        meaningful = true;
      }
      const toolCalls = normalizeToolCallDeltas(rawDelta.tool_calls);
      if (toolCalls) {
        delta.tool_calls = toolCalls;
        meaningful = true;
      }
      const finishReason = normalizeFinishReason(choice.finish_reason);
      if (!meaningful && finishReason === null) continue;
      if (!this.id) {
        this.id = randomId('chatcmpl-');
        this.created = nowSeconds();
      }
      this.emit({
        id: this.id,
        object: 'chat.completion.chunk',
        created: this.created,
        model: this.model,
        choices: [
          {
            index: asNumber(choice.index) ?? position,
            delta,
            finish_reason: finishReason,
            logprobs: choice.logprobs ?? null,
            ...stopSequenceOf(choice),
          },
        ],
      });
    }
  }

  end(): void {
    this.flushUsage();
  }

  private flushUsage(): void {
    if (this.usageEmitted || !this.usage) return;
    this.usageEmitted = true;
    this.emit({
      id: this.id || randomId('chatcmpl-'),
      object: 'chat.completion.chunk',
      created: this.created || nowSeconds(),
      model: this.model,
      choices: [],
      usage: this.usage,
    });
  }
}
