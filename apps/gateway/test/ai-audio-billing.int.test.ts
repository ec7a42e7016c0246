import { readFileSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { wavFile } from '../../../test/fakes/llm/wav.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * Transcriptions answered as text, srt or vtt carry no duration from the provider, so the file header is
 * what the call is billed on. A PCM WAV's `fact` chunk is not what a decoder plays (PCM has no use for
 * it), yet it decides the header's duration: the bill must follow the audio the provider hears.
 */

const KEY = 'sk-audio-billing-000000000000';
const REPLY = 'The quick brown fox.';

/** A PCM WAV of `seconds` with a `fact` chunk claiming `claimedSamples` samples (ignored by decoders for PCM). */
function wavWithFact(seconds: number, claimedSamples: number): Buffer {
  const plain = wavFile(seconds);
  const fact = Buffer.alloc(12);
  fact.write('fact', 0, 'ascii');
  fact.writeUInt32LE(4, 4);
  fact.writeUInt32LE(claimedSamples, 8);
  // RIFF header + fmt chunk (36 bytes), then fact, then the data chunk
  const out = Buffer.concat([plain.subarray(0, 36), fact, plain.subarray(36)]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

describe('AI transcriptions billed on a WAV header that lies', () => {
  let world: AiWorld;
  let fake: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;
  let client: OpenAI;

  beforeAll(async () => {
    world = await startAiWorld(false);
    fake = await startFakeLlm({ flavor: 'openai', apiKey: KEY, reply: REPLY });
    seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: fake.baseUrl, secret: KEY }],
      ai: ([id]) => ({ routes: [{ name: 'hear', targets: [{ credentialId: id, model: 'whisper-1' }] }] }),
      prices: [
        {
          provider: 'openai',
          model: 'whisper-1',
          inputPerMillion: '0',
          outputPerMillion: '0',
          perAudioSecond: '0.0001',
        },
      ],
    });
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await world?.close();
    await fake?.close();
  });

  async function loggedCost(requestId: string | null): Promise<bigint> {
    await world.gateway.flushUsage();
    const where = { apiId: seeded.api.id, requestId: requestId ?? '' };
    await eventually(async () => (await world.db.aiCallLog.count({ where })) > 0, 3_000);
    return (await world.db.aiCallLog.findFirstOrThrow({ where })).costMicros;
  }

  it('bills the seconds of audio sent, not a PCM fact chunk claiming a few samples', async () => {
    // 8 s of audio the provider transcribes, a fact chunk claiming 8 samples (1 ms)
    const { response } = await client.audio.transcriptions
      .create({ model: 'hear', file: await toFile(wavWithFact(8, 8), 'short.wav'), response_format: 'text' })
      .withResponse();
    expect(fake.lastRequest().path).toBe('/v1/audio/transcriptions');
    // 8 s × $0.0001 = 800 micro-USD
    expect(await loggedCost(response.headers.get('x-request-id'))).toBe(800n);
  });

  it('does not bill hours for one second of audio whose fact chunk claims billions of samples', async () => {
    const { response } = await client.audio.transcriptions
      .create({
        model: 'hear',
        file: await toFile(wavWithFact(1, 0xffff_fff0), 'long.wav'),
        response_format: 'srt',
      })
      .withResponse();
    // 1 s × $0.0001 = 100 micro-USD, not ~149 hours' worth
    expect(await loggedCost(response.headers.get('x-request-id'))).toBe(100n);
  });

  it('bills an MP3 by its seconds of frames, not an Info frame claiming ten hours', async () => {
    // Two seconds of MPEG-1 Layer III at 32 kbit/s; its Info frame's count is made to claim ten hours
    const mp3 = readFileSync(new URL('../../../test/fixtures/audio/speech-cbr.mp3', import.meta.url));
    const info = mp3.indexOf('Info', 0, 'latin1');
    mp3.writeUInt32BE(Math.round((36_000 * 44_100) / 1_152), info + 8);
    try {
      // The provider hears speech for 1 s and reports no duration in an srt answer
      fake.configure({ transcriptionSeconds: 1 });
      const { response } = await client.audio.transcriptions
        .create({ model: 'hear', file: await toFile(mp3, 'speech.mp3'), response_format: 'srt' })
        .withResponse();
      // 8 352 bytes hold at most 2.088 s of MPEG-1 audio: 2.088 s × $0.0001 = 208.8 micro-USD
      expect(await loggedCost(response.headers.get('x-request-id'))).toBe(209n);
    } finally {
      fake.configure({ transcriptionSeconds: undefined });
    }
  });

  it('answers text from a whisper model with the duration the provider reports', async () => {
    try {
      // The provider heard 5 s of a file whose header tells 4 s
      fake.configure({ transcriptionSeconds: 5 });
      const { data, response } = await client.audio.transcriptions
        .create({ model: 'hear', file: await toFile(wavWithFact(4, 8), 'a.wav'), response_format: 'text' })
        .withResponse();
      const sent = await new Response(new Uint8Array(fake.lastRequest().rawBytes), {
        headers: { 'content-type': fake.lastRequest().headers['content-type'] ?? '' },
      }).formData();
      expect(sent.get('response_format')).toBe('verbose_json');
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(data).toBe(`${REPLY}\n`);
      expect(await loggedCost(response.headers.get('x-request-id'))).toBe(500n);
    } finally {
      fake.configure({ transcriptionSeconds: undefined });
    }
  });

  it('bills srt and vtt on the file or the last cue, whichever is later', async () => {
    const transcribe = async (seconds: number, format: 'srt' | 'vtt') => {
      const { response } = await client.audio.transcriptions
        .create({
          model: 'hear',
          file: await toFile(wavWithFact(seconds, 8), 'a.wav'),
          response_format: format,
        })
        .withResponse();
      return loggedCost(response.headers.get('x-request-id'));
    };
    try {
      // Speech stops at 2 s of 8 s sent: the file's 8 s are billed
      fake.configure({ transcriptionSeconds: 2 });
      expect(await transcribe(8, 'srt')).toBe(800n);
      // The provider heard 5 s of a file whose header tells 4 s: its 5 s are billed
      fake.configure({ transcriptionSeconds: 5 });
      expect(await transcribe(4, 'vtt')).toBe(500n);
    } finally {
      fake.configure({ transcriptionSeconds: undefined });
    }
  });
});
