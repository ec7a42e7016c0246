import { File } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { wavFile } from '../../../test/fakes/llm/wav.ts';
import { audioDurationMs } from './audio.ts';
import { lastCueEndMs, maxBillableAudioMs, wavDurationMs } from './audio-duration.ts';

/** A WAV with a chunk inserted between `fmt ` and `data`. */
function withChunk(wav: Buffer, id: string, body: Buffer): Buffer {
  const chunk = Buffer.alloc(8 + body.length);
  chunk.write(id, 0, 'ascii');
  chunk.writeUInt32LE(body.length, 4);
  body.copy(chunk, 8);
  const out = Buffer.concat([wav.subarray(0, 36), chunk, wav.subarray(36)]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

const fact = (samples: number) => {
  const body = Buffer.alloc(4);
  body.writeUInt32LE(samples, 0);
  return body;
};

const duration = (bytes: Buffer) => audioDurationMs(new File([new Uint8Array(bytes)], 'a.wav'));

describe('audio length for metering', () => {
  it('reads a PCM WAV from its data chunk, whatever its fact chunk claims', async () => {
    expect(await duration(withChunk(wavFile(2), 'fact', fact(8)))).toBe(2_000);
    expect(await duration(withChunk(wavFile(1), 'fact', fact(0xffff_fff0)))).toBe(1_000);
  });

  it('plays PCM at its sample layout, not at a stated byte rate', async () => {
    const tooFast = wavFile(3);
    tooFast.writeUInt32LE(0xffff_ff00, 28);
    expect(await duration(tooFast)).toBe(3_000);
    const tooSlow = wavFile(3);
    tooSlow.writeUInt32LE(1, 28);
    expect(await duration(tooSlow)).toBe(3_000);
  });

  it('counts only the data present when the data chunk claims more', () => {
    const truncated = wavFile(2);
    truncated.writeUInt32LE(0xffff_fff0, 40);
    expect(wavDurationMs(truncated)).toBe(2_000);
    expect(wavDurationMs(truncated.subarray(0, 44 + 16_000))).toBe(1_000);
  });

  it('never bills longer than the file at 8 kbit/s', async () => {
    // A compressed format whose header claims a byte rate of 1 byte a second
    const slow = wavFile(1);
    slow.writeUInt16LE(2, 20);
    slow.writeUInt32LE(1, 28);
    expect(await duration(slow)).toBe(maxBillableAudioMs(slow.length));
    expect(maxBillableAudioMs(1_000)).toBe(1_000);
  });

  it('finds the end of the last srt or vtt cue', () => {
    const srt = '1\n00:00:00,000 --> 00:00:02,500\nhi\n\n2\n00:00:02,500 --> 01:02:03,045\nthere\n\n';
    expect(lastCueEndMs(srt)).toBe(3_723_045);
    expect(lastCueEndMs('WEBVTT\n\n00:01.000 --> 00:04.250\nhi\n\n')).toBe(4_250);
    expect(lastCueEndMs('just text\n')).toBeNull();
  });
});
