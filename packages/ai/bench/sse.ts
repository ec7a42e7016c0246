import { anthropic } from '../src/providers/anthropic/index.ts';
import { gemini } from '../src/providers/gemini/index.ts';
import { openai } from '../src/providers/openai/index.ts';
import type { ProviderDefinition } from '../src/providers/types.ts';
import { SseParser, sseData } from '../src/sse.ts';
import { AnthropicStreamEncoder } from '../src/surfaces/anthropic/stream.ts';
import type { ChatCompletionChunk } from '../src/types.ts';

/*
 * Micro-benchmark of the streaming hot path, per provider: bytes of one network read → SSE parse →
 * provider translation → the unified chunk serialized as the client's SSE frame. Each network read
 * carries one event, as token streams do. Run: npx tsx packages/ai/bench/sse.ts [tokens] [rounds]
 */

const TOKENS = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 30);
const WORDS = [
  'The',
  ' quick',
  ' brown',
  ' fox',
  ' jumps',
  ' over',
  ' the',
  ' lazy',
  ' dog',
  ',',
  ' again',
  '.',
];
const token = (i: number): string => WORDS[i % WORDS.length] ?? '';

function openaiFrames(count: number): string[] {
  const chunk = (delta: unknown, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-AbCdEf123', object: 'chat.completion.chunk', created: 1_750_000_000, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_0123456789', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null })}\n\n`;
  const frames = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (let i = 0; i < count; i++) frames.push(chunk({ content: token(i) }));
  frames.push(chunk({}, 'stop'));
  frames.push(
    `data: ${JSON.stringify({ id: 'chatcmpl-AbCdEf123', object: 'chat.completion.chunk', created: 1_750_000_000, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 10, completion_tokens: count, total_tokens: count + 10 } })}\n\n`,
  );
  frames.push('data: [DONE]\n\n');
  return frames;
}

function anthropicFrames(count: number): string[] {
  const event = (type: string, payload: object) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
  const frames = [
    event('message_start', {
      message: {
        id: 'msg_01AbC',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 1 },
      },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ];
  for (let i = 0; i < count; i++)
    frames.push(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: token(i) } }));
  frames.push(event('content_block_stop', { index: 0 }));
  frames.push(
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: count },
    }),
  );
  frames.push(event('message_stop', {}));
  return frames;
}

function geminiFrames(count: number): string[] {
  const frames: string[] = [];
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    frames.push(
      `data: ${JSON.stringify({
        candidates: [
          {
            content: { parts: [{ text: token(i) }], role: 'model' },
            ...(last ? { finishReason: 'STOP' } : {}),
            index: 0,
          },
        ],
        usageMetadata: last
          ? { promptTokenCount: 10, candidatesTokenCount: count, totalTokenCount: count + 10 }
          : { promptTokenCount: 10 },
        modelVersion: 'gemini-2.0-flash',
        responseId: 'resp-123',
      })}\r\n\r\n`,
    );
  }
  return frames;
}

interface Result {
  name: string;
  samples: number[];
  totalNs: number;
  chunks: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

function run(
  name: string,
  provider: ProviderDefinition,
  frames: string[],
  withAnthropicSurface = false,
): Result {
  const reads = frames.map((frame) => Buffer.from(frame));
  const samples: number[] = [];
  let totalNs = 0;
  let chunks = 0;
  let sink = 0;
  for (let round = -5; round < ROUNDS; round++) {
    const measured = round >= 0;
    const encoder = new AnthropicStreamEncoder(
      'claude',
      (frame) => {
        sink += frame.length;
      },
      { input_tokens: 0, output_tokens: 0 },
    );
    const emit = withAnthropicSurface
      ? (chunk: ChatCompletionChunk) => encoder.push(chunk)
      : (chunk: ChatCompletionChunk) => {
          sink += sseData(JSON.stringify(chunk)).length;
        };
    const translator = provider.createStreamTranslator('model', (chunk) => {
      if (measured) chunks++;
      emit(chunk);
    });
    const parser = new SseParser((event) => translator.push(event));
    for (const read of reads) {
      const started = process.hrtime.bigint();
      parser.pushBytes(read);
      const elapsed = Number(process.hrtime.bigint() - started);
      if (measured) {
        samples.push(elapsed);
        totalNs += elapsed;
      }
    }
    parser.end();
    translator.end();
  }
  if (sink < 0) console.log(sink);
  return { name, samples, totalNs, chunks };
}

const results = [
  run('openai → openai SSE', openai, openaiFrames(TOKENS)),
  run('anthropic → openai SSE', anthropic, anthropicFrames(TOKENS)),
  run('gemini → openai SSE', gemini, geminiFrames(TOKENS)),
  run('openai → anthropic SSE (surface)', openai, openaiFrames(TOKENS), true),
];

console.log(`stream hot path, ${TOKENS} tokens × ${ROUNDS} rounds, one event per network read (µs per read)`);
console.log('| path | mean | p50 | p99 | p99.9 | max | reads/s |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const result of results) {
  const sorted = [...result.samples].sort((a, b) => a - b);
  const us = (ns: number) => (ns / 1000).toFixed(2);
  const mean = result.totalNs / result.samples.length;
  console.log(
    `| ${result.name} | ${us(mean)} | ${us(percentile(sorted, 50))} | ${us(percentile(sorted, 99))} | ${us(percentile(sorted, 99.9))} | ${us(sorted.at(-1) ?? 0)} | ${Math.round(1e9 / mean).toLocaleString('en-US')} |`,
  );
}
