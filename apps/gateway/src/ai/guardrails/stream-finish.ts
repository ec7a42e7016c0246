import type { UnifiedStream } from '@portcullis/ai/stream-call';
import type { ChatCompletionChunk } from '@portcullis/ai/types';
import { blockStreamError, type GuardrailBlock } from './failures.ts';
import type { GuardrailRun } from './guard.ts';

/**
 * Chunks read ahead while a whole-answer check runs, at most: a provider still streaming other choices
 * is then left waiting (and its idle timeout running) rather than buffered without bound.
 */
const MAX_READ_AHEAD = 1_000;

/** What whole-answer rules look at of one choice. */
interface Answer {
  text: string;
  calledTools: boolean;
  finished: boolean;
}

/**
 * Whole-answer rules (JSON schema, output moderation) on a stream. A streamed text cannot be unsent, so
 * these rules cannot stop it going out; what they hold back is the chunk that finishes a choice (its
 * finish_reason, with the tail the text rules held), and with it the usage and the stream's clean end,
 * until the choice's whole text has passed. A fail ends the stream with the guardrail's error instead,
 * as a text rule's block does, and the client never sees the answer complete. The provider's usage is
 * metered either way: once every choice has finished, the rest of the stream (its usage) is read to
 * the end before it is closed, so the provider's own count is billed.
 *
 * A choice's answer ends at its finish. What a provider streams for that choice afterwards (text, a
 * refusal, tool-call deltas, a second finish) is dropped, not sent, and recorded on the run. Checking it
 * again would not help: by then the finish has gone out (or is about to), the client holds the answer
 * as complete, and a late verdict could only turn a passed answer into an error after the fact, or let
 * text through that no longer forms part of any answer the rules judged. Dropping keeps what the client
 * gets equal to what passed; the provider's usage, counted where the stream is read, is billed in full.
 */
export function holdFinish(stream: UnifiedStream, run: GuardrailRun): UnifiedStream {
  const answers = new Map<number, Answer>();
  const dropped = new Map<number, Dropped>();
  const reader = new ChunkReader(stream.chunks[Symbol.asyncIterator]());
  let blocked: GuardrailBlock | null = null;
  let started = false;
  let doneReading!: () => void;
  // the verdict is in once the chunks have been read to their end (or left), every check with them
  const read = new Promise<void>((resolve) => {
    doneReading = resolve;
  });

  const answerOf = (index: number): Answer => {
    let answer = answers.get(index);
    if (!answer) {
      answer = { text: '', calledTools: false, finished: false };
      answers.set(index, answer);
    }
    return answer;
  };
  /** Checks the answers of these choices; a block is kept for the stream's end. */
  const check = async (indices: readonly number[]): Promise<GuardrailBlock | null> => {
    // a choice that only called tools has no answer text (its arguments went through the text rules)
    const texts = indices
      .map(answerOf)
      .filter((answer) => answer.text !== '' || !answer.calledTools)
      .map((answer) => answer.text);
    const block = texts.length > 0 ? await run.checkAnswers(texts) : null;
    blocked ??= block;
    return block;
  };

  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    started = true;
    try {
      for (;;) {
        const next = await reader.next();
        if (!next) break;
        const finished: number[] = [];
        const kept = next.choices.filter((choice) => {
          const answer = answerOf(choice.index);
          if (answer.finished) {
            noteDropped(dropped, choice);
            return false;
          }
          if (choice.delta.content) answer.text += choice.delta.content;
          if (choice.delta.tool_calls?.length) answer.calledTools = true;
          if (choice.finish_reason) {
            answer.finished = true;
            finished.push(choice.index);
          }
          return true;
        });
        const chunk = withChoices(next, kept);
        if (!chunk) continue;
        if (finished.length > 0 && (await reader.readWhile(check(finished)))) {
          if ([...answers.values()].every((answer) => answer.finished)) await reader.drain();
          else stream.cancel();
          return;
        }
        yield chunk;
      }
      // a stream that ended cleanly without finishing some choice: its end is held the same way
      const open = [...answers].filter(([, answer]) => !answer.finished).map(([index]) => index);
      if (open.length > 0 && !(await stream.final).error) await check(open);
    } finally {
      reader.close();
      if (dropped.size > 0) run.recordDroppedAfterFinish(droppedDetail(dropped));
      doneReading();
    }
  }

  const final = stream.final.then(async (result) => {
    // chunks never read (a caller that gave up before the first) hold nothing back
    if (started) await read;
    return blocked ? { ...result, error: blockStreamError(blocked) } : result;
  });
  return { ...stream, chunks: chunks(), final };
}

/** What a provider sent for one choice after its finish, dropped. */
interface Dropped {
  chars: number;
  toolCallDeltas: number;
}

/** Counts what a provider sent for a choice after its finish (an empty entry, a repeated finish: nothing). */
function noteDropped(dropped: Map<number, Dropped>, choice: ChatCompletionChunk['choices'][number]): void {
  const chars = (choice.delta.content?.length ?? 0) + (choice.delta.refusal?.length ?? 0);
  const toolCallDeltas = choice.delta.tool_calls?.length ?? 0;
  if (chars === 0 && toolCallDeltas === 0) return;
  const late = dropped.get(choice.index) ?? { chars: 0, toolCallDeltas: 0 };
  late.chars += chars;
  late.toolCallDeltas += toolCallDeltas;
  dropped.set(choice.index, late);
}

/**
 * The chunk with only the choices kept: itself when all are, null when nothing is left to send (a
 * chunk that carries usage still goes out, with no choices, as the usage chunk does).
 */
function withChoices(
  chunk: ChatCompletionChunk,
  kept: ChatCompletionChunk['choices'],
): ChatCompletionChunk | null {
  if (kept.length === chunk.choices.length) return chunk;
  if (kept.length === 0 && !chunk.usage) return null;
  return { ...chunk, choices: kept };
}

/** The decision detail of what was dropped after the finishes, per choice. */
function droppedDetail(dropped: ReadonlyMap<number, Dropped>): string {
  const parts = [...dropped].map(
    ([index, late]) => `choice ${index}: ${late.chars} characters, ${late.toolCallDeltas} tool-call deltas`,
  );
  return `dropped what the provider sent after a choice's finish (${parts.join('; ')})`;
}

/**
 * Reads a chunk iterator in order, and can read ahead into a queue while something else is awaited:
 * the provider's stream keeps flowing (its idle clock keeps being reset) during a check.
 */
class ChunkReader {
  private readonly queue: ChatCompletionChunk[] = [];
  private pending: Promise<IteratorResult<ChatCompletionChunk>> | null = null;
  private ended = false;

  constructor(private readonly source: AsyncIterator<ChatCompletionChunk>) {}

  /** The next chunk in order, or null at the end. */
  async next(): Promise<ChatCompletionChunk | null> {
    const queued = this.queue.shift();
    if (queued) return queued;
    if (this.ended) return null;
    return this.take(await this.read());
  }

  /** Awaits `work`, reading ahead meanwhile; answers what `work` resolves to. */
  async readWhile<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    while (!settled && !this.ended && this.queue.length < MAX_READ_AHEAD) {
      const step = await Promise.race([done.then(() => null), this.read()]);
      if (step) {
        const chunk = this.take(step);
        if (chunk) this.queue.push(chunk);
      }
    }
    return work;
  }

  /** Reads the rest of the stream without handing it out. */
  async drain(): Promise<void> {
    this.queue.length = 0;
    while (!this.ended) this.take(await this.read());
  }

  /** Stops reading: the source's own cleanup (cancelling the provider stream) runs. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    void Promise.resolve(this.source.return?.()).catch(() => undefined);
  }

  /** One read at a time: a read in flight when a check ends is the next one's. */
  private read(): Promise<IteratorResult<ChatCompletionChunk>> {
    this.pending ??= this.source.next();
    return this.pending;
  }

  private take(step: IteratorResult<ChatCompletionChunk>): ChatCompletionChunk | null {
    this.pending = null;
    if (step.done) {
      this.ended = true;
      return null;
    }
    return step.value;
  }
}
