import type { AiCallError } from './errors.ts';
import type { StreamDecoder, StreamTranslator } from './providers/types.ts';
import { type SseEvent, SseParser } from './sse.ts';
import { estimateCompletionTokens, estimateTokens, loadTokenizer } from './tokens.ts';
import type {
  ChatCompletionChunk,
  ChatCompletionRequest,
  CompletionUsage,
  FinishReason,
  TokenUsage,
} from './types.ts';
import { nowSeconds } from './types.ts';
import {
  aiError,
  streamDecodeError,
  transportError,
  type UpstreamOptions,
  type UpstreamResponse,
} from './upstream.ts';

/** How a stream ended, resolved once the last chunk has been handed out (or the stream cancelled). */
export interface StreamFinal {
  usage: TokenUsage;
  /** call start → first content or tool-call delta; null when none came */
  timeToFirstTokenMs: number | null;
  durationMs: number;
  finishReason: FinishReason | null;
  /** the provider's id and model name for the answer, from its first chunk (chunks carry the caller's) */
  responseId: string | null;
  responseModel: string | null;
  /** set when the stream broke, the provider sent an error event, or it was cancelled */
  error: AiCallError | null;
  chunks: number;
}

/** The prompt side of a stream's usage, known before its end: the provider's count or an estimate. */
interface PromptUsage {
  promptTokens: number;
  cachedPromptTokens: number;
  estimated: boolean;
}

/**
 * A provider stream as unified chunks. Iterate `chunks` once (or `cancel()`); the last chunk is always a
 * usage chunk (`choices: []`) unless the stream failed: the provider's usage, or an estimate. Whether the
 * client sees it is `includeUsage` (what it asked with `stream_options.include_usage`). Every chunk
 * carries the model name the caller asked for. `final` resolves however the stream ends, a cancel
 * included, with the usage to bill: what the provider reported, and only the rest estimated.
 */
export interface UnifiedStream {
  chunks: AsyncIterable<ChatCompletionChunk>;
  final: Promise<StreamFinal>;
  includeUsage: boolean;
  cancel(): void;
  /**
   * The prompt tokens before the stream ends (Anthropic's message_start reports them up front): the
   * provider's count once it has reported one, else an estimate. For surfaces that announce them first.
   */
  promptUsage(): Promise<PromptUsage>;
}

type Opened = { ok: true; value: UnifiedStream } | { ok: false; error: AiCallError };

class StreamRun {
  private readonly queue: ChatCompletionChunk[] = [];
  private head = 0;
  private readonly decoder: StreamDecoder;
  private readonly translator: StreamTranslator;
  private readonly reader: AsyncIterator<Buffer>;
  private finished = false;
  private error: AiCallError | null = null;
  private emitted = 0;
  private firstTokenAt: number | null = null;
  private finishReason: FinishReason | null = null;
  private sawUsage = false;
  private lastChunk: ChatCompletionChunk | null = null;
  private responseId: string | null = null;
  private responseModel: string | null = null;
  // Kept only for estimating usage when the provider reports none; string concatenation is a cheap rope.
  private text = '';
  private readonly toolCalls: { name: string; arguments: string }[] = [];
  /** the output the request allows, over all its choices; null when it set no cap */
  private readonly outputCap: number | null;
  /** output tokens so far, counted delta by delta (the cap's running estimate) */
  private outputSoFar = 0;
  /** the stream ran into outputCap and was cut there */
  private capped = false;
  private readonly openChoices = new Set<number>();
  private resolveFinal!: (final: StreamFinal) => void;
  readonly final = new Promise<StreamFinal>((resolve) => {
    this.resolveFinal = resolve;
  });

  constructor(
    private readonly response: UpstreamResponse,
    private readonly upstream: UpstreamOptions,
    private readonly request: ChatCompletionRequest,
    private readonly model: string,
    private readonly startedAt: number,
  ) {
    this.translator = upstream.provider.createStreamTranslator(model, (chunk) => this.accept(chunk), request);
    // Events after a cut at the output cap are not read: the stream ended there for the caller.
    const onEvent = (event: SseEvent) => {
      if (!this.capped) this.translator.push(event);
    };
    this.decoder = upstream.provider.createStreamDecoder?.(onEvent) ?? new SseParser(onEvent);
    this.reader = (response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    response.deadline.arm(upstream.idleTimeoutMs);
    const cap = request.max_completion_tokens ?? request.max_tokens;
    this.outputCap = cap ? cap * (request.n ?? 1) : null;
  }

  get failure(): AiCallError | null {
    return this.error;
  }

  /** something a client would care about arrived: a token, a tool call, a finish or the usage */
  get hasContent(): boolean {
    return this.firstTokenAt !== null || this.finishReason !== null || this.sawUsage;
  }

  private accept(chunk: ChatCompletionChunk): void {
    // A provider that ignored max_tokens: nothing past the cap reaches the caller (the upstream is cut).
    if (this.capped) return;
    this.responseId ??= chunk.id || null;
    this.responseModel ??= chunk.model || null;
    // Callers get the name they asked for, not the provider's (often a dated snapshot of it).
    chunk.model = this.request.model;
    this.emitted++;
    this.lastChunk = chunk;
    if (chunk.usage) this.sawUsage = true;
    for (const choice of chunk.choices) {
      const delta = choice.delta;
      if (typeof delta.content === 'string' && delta.content) {
        this.text += delta.content;
        this.firstTokenAt ??= performance.now();
      }
      if (delta.tool_calls) {
        this.firstTokenAt ??= performance.now();
        for (const call of delta.tool_calls) {
          let tracked = this.toolCalls[call.index];
          if (!tracked) {
            tracked = { name: '', arguments: '' };
            this.toolCalls[call.index] = tracked;
          }
          if (call.function?.name) tracked.name += call.function.name;
          if (call.function?.arguments) tracked.arguments += call.function.arguments;
        }
      }
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
      if (choice.finish_reason) this.openChoices.delete(choice.index);
      else this.openChoices.add(choice.index);
    }
    this.queue.push(chunk);
    if (this.outputCap !== null) this.countOutput(chunk);
  }

  /**
   * Counts a chunk's output against the request's cap (each delta on its own: providers stream about a
   * token a delta); at the cap the open choices end with `length` and the stream is cut (pump()).
   */
  private countOutput(chunk: ChatCompletionChunk): void {
    for (const choice of chunk.choices) {
      const calls = (choice.delta.tool_calls ?? []).map((c) => ({
        name: c.function?.name ?? '',
        arguments: c.function?.arguments ?? '',
      }));
      const text = typeof choice.delta.content === 'string' ? choice.delta.content : '';
      if (text || calls.length > 0) {
        this.outputSoFar += estimateCompletionTokens(text, calls, this.model).tokens;
      }
    }
    if (this.outputSoFar < (this.outputCap ?? Number.POSITIVE_INFINITY) || this.openChoices.size === 0)
      return;
    this.capped = true;
    this.finishReason = 'length';
    this.queue.push({
      id: chunk.id,
      object: 'chat.completion.chunk',
      created: chunk.created,
      model: chunk.model,
      choices: [...this.openChoices].map((index) => ({ index, delta: {}, finish_reason: 'length' as const })),
    });
    this.openChoices.clear();
  }

  next(): ChatCompletionChunk | undefined {
    if (this.head >= this.queue.length) return undefined;
    const chunk = this.queue[this.head++];
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return chunk;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** Reads one network chunk through parser and translator; at the end, settles usage and `final`. */
  async pump(): Promise<void> {
    if (this.finished) return;
    let result: IteratorResult<Buffer>;
    try {
      result = await this.reader.next();
    } catch (error) {
      await this.finish(transportError(this.upstream.provider.id, error, this.response.deadline, true));
      return;
    }
    this.response.deadline.touch();
    try {
      if (result.done) this.decoder.end();
      else this.decoder.pushBytes(result.value);
    } catch (error) {
      await this.finish(streamDecodeError(this.upstream.provider.id, error));
      return;
    }
    if (result.done) {
      this.translator.end();
      await this.finish(this.translator.error ? this.upstreamError() : null);
      return;
    }
    if (this.translator.error) await this.finish(this.upstreamError());
    else if (this.capped) await this.finish(null);
  }

  cancel(): void {
    if (this.finished) return;
    void this.finish(
      aiError(this.upstream.provider.id, 'aborted', 499, 'The stream was cancelled.', {
        retryable: false,
        code: 'request_cancelled',
      }),
    );
  }

  private upstreamError(): AiCallError {
    const mapped = this.translator.error;
    if (!mapped) throw new Error('upstreamError() without a translator error');
    return { ...mapped, kind: 'upstream', provider: this.upstream.provider.id, upstreamStatus: null };
  }

  private async finish(error: AiCallError | null): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.error = error;
    this.response.deadline.clear();
    if (error || this.capped) this.response.body.destroy();
    const usage = await this.settledUsage(error);
    if (!error && !this.sawUsage) this.queue.push(this.usageChunk(usage));
    this.resolveFinal({
      usage,
      timeToFirstTokenMs: this.firstTokenAt === null ? null : this.firstTokenAt - this.startedAt,
      durationMs: performance.now() - this.startedAt,
      finishReason: this.finishReason,
      responseId: this.responseId,
      responseModel: this.responseModel,
      error,
      chunks: this.emitted,
    });
  }

  /**
   * The usage to bill: the provider's when it reported it all; when the stream ended before that (a
   * cancel, a break), the prompt tokens the provider reported up front and an estimate of the output
   * received so far; an estimate of both when it reported nothing.
   */
  private async settledUsage(error: AiCallError | null): Promise<TokenUsage> {
    if (this.translator.usage) return toTokenUsage(this.translator.usage, false);
    const input = this.translator.inputUsage;
    if (error && !this.hasContent && !input) return NOTHING_USED;
    const prompt = await this.promptUsage();
    const estimated = await this.estimateCompletion();
    // cut at the cap: what it let through is what was generated for the caller
    const completion = this.capped ? Math.min(estimated, this.outputCap ?? estimated) : estimated;
    return {
      promptTokens: prompt.promptTokens,
      completionTokens: completion,
      totalTokens: prompt.promptTokens + completion,
      ...(prompt.cachedPromptTokens ? { cachedPromptTokens: prompt.cachedPromptTokens } : {}),
      estimated: true,
    };
  }

  async promptUsage(): Promise<PromptUsage> {
    const reported = this.translator.usage;
    if (reported) {
      return {
        promptTokens: reported.prompt_tokens,
        cachedPromptTokens: reported.prompt_tokens_details?.cached_tokens ?? 0,
        estimated: false,
      };
    }
    const input = this.translator.inputUsage;
    if (input) return { ...input, estimated: false };
    await loadTokenizer(this.model).catch(() => undefined);
    const estimate = estimateTokens(this.request.messages, this.model, this.request.tools).tokens;
    return { promptTokens: estimate, cachedPromptTokens: 0, estimated: true };
  }

  private async estimateCompletion(): Promise<number> {
    await loadTokenizer(this.model).catch(() => undefined);
    return estimateCompletionTokens(this.text, this.toolCalls.filter(Boolean), this.model).tokens;
  }

  private usageChunk(usage: TokenUsage): ChatCompletionChunk {
    const usageBody: CompletionUsage = {
      prompt_tokens: usage.promptTokens,
      completion_tokens: usage.completionTokens,
      total_tokens: usage.totalTokens,
    };
    return {
      id: this.lastChunk?.id ?? `chatcmpl-${Date.now()}`,
      object: 'chat.completion.chunk',
      created: this.lastChunk?.created ?? nowSeconds(),
      model: this.lastChunk?.model ?? this.model,
      choices: [],
      usage: usageBody,
    };
  }
}

/** A stream that failed before any output: nothing to meter, and no tokenizer load for it. */
const NOTHING_USED: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, estimated: true };

export function toTokenUsage(usage: CompletionUsage, estimated: boolean): TokenUsage {
  const out: TokenUsage = {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
    estimated,
  };
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (cached) out.cachedPromptTokens = cached;
  return out;
}

/**
 * Starts reading a 2xx event stream and returns once the first token is translated. A stream that fails
 * before producing any (an error event first, a dropped connection, an empty body) is an error result
 * instead, which the gateway can still retry or fall back from: nothing was sent to its client.
 */
export async function openUnifiedStream(
  response: UpstreamResponse,
  upstream: UpstreamOptions,
  request: ChatCompletionRequest,
  model: string,
  startedAt: number,
): Promise<Opened> {
  const run = new StreamRun(response, upstream, request, model, startedAt);
  // Waiting for the first real token (not just the role chunk) costs the client nothing, since there is
  // nothing to send before it, and lets an early error event still count as a failed call.
  while (!run.hasContent && !run.isFinished) await run.pump();
  const failure = run.failure;
  if (failure && !run.hasContent) return { ok: false, error: failure };
  if (run.isFinished && !failure && (await run.final).chunks === 0) {
    return {
      ok: false,
      error: aiError(upstream.provider.id, 'invalid_response', 502, 'The provider sent an empty stream.', {
        retryable: true,
        code: 'invalid_upstream_response',
      }),
    };
  }
  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    try {
      for (;;) {
        let chunk = run.next();
        while (chunk !== undefined) {
          yield chunk;
          chunk = run.next();
        }
        if (run.isFinished) return;
        await run.pump();
      }
    } finally {
      run.cancel();
    }
  }
  return {
    ok: true,
    value: {
      chunks: chunks(),
      final: run.final,
      includeUsage: request.stream_options?.include_usage === true,
      cancel: () => run.cancel(),
      promptUsage: () => run.promptUsage(),
    },
  };
}
