import { File } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { audioDurationMs } from './audio.ts';
import { maxBillableAudioMs } from './audio-duration.ts';

/*
 * Two seconds of a gliding tone in each format a transcription takes, encoded by ffmpeg (libmp3lame,
 * aac, libvorbis, libopus, flac), and the same files with headers that lie about their length.
 */

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/audio/${name}`, import.meta.url));

const duration = (bytes: Buffer, type = '') =>
  audioDurationMs(new File([new Uint8Array(bytes)], 'audio', { type }));

/** Ten hours: what a hostile header claims. */
const TEN_HOURS_S = 36_000;

/** The offset of `tag` in `bytes`, searching from the end when `last`; throws when absent. */
function offsetOf(bytes: Buffer, tag: string, last = false): number {
  const at = last ? bytes.lastIndexOf(tag, undefined, 'latin1') : bytes.indexOf(tag, 0, 'latin1');
  if (at < 0) throw new Error(`no ${tag} in the fixture`);
  return at;
}

/** An MP3 whose Xing/Info frame count claims `seconds` at `samplesPerFrame` and `sampleRate`. */
function mp3Claiming(name: string, seconds: number, samplesPerFrame: number, sampleRate: number) {
  const bytes = Buffer.from(fixture(name));
  const at = offsetOf(bytes, bytes.includes('Xing') ? 'Xing' : 'Info');
  expect(bytes.readUInt32BE(at + 4) & 0b11).toBe(0b11); // frames and bytes fields present
  bytes.writeUInt32BE(Math.round((seconds * sampleRate) / samplesPerFrame), at + 8);
  return bytes;
}

describe('audio length of compressed formats', () => {
  it.each([
    ['speech-cbr.mp3', 'MPEG-1 CBR with an Info frame'],
    ['speech-vbr-xing.mp3', 'MPEG-2 VBR with a Xing frame'],
    ['speech-vbr.mp3', 'MPEG-2 VBR without a Xing frame (frames counted)'],
    ['speech.m4a', 'AAC in MP4'],
    ['speech-vorbis.ogg', 'Ogg Vorbis'],
    ['speech-opus.ogg', 'Ogg Opus'],
    ['speech.flac', 'FLAC'],
    ['speech.webm', 'Opus in WebM'],
  ])('reads two seconds from %s (%s)', async (name) => {
    const ms = await duration(fixture(name));
    expect(ms).toBeGreaterThanOrEqual(1_950);
    expect(ms).toBeLessThanOrEqual(2_100);
  });

  it('bills an MPEG-1 file whose Info frame claims ten hours by its bytes at 32 kbit/s', async () => {
    const lying = mp3Claiming('speech-cbr.mp3', TEN_HOURS_S, 1_152, 44_100);
    // 8 352 bytes at 4 000 bytes a second: its real 2.04 s give or take the tags
    expect(await duration(lying)).toBe(Math.floor((lying.length * 1000) / 4_000));
    expect(await duration(lying)).toBeLessThan(2_100);
  });

  it('bills an MPEG-2 file whose Xing frame claims ten hours by its bytes at 8 kbit/s', async () => {
    const lying = mp3Claiming('speech-vbr-xing.mp3', TEN_HOURS_S, 576, 22_050);
    expect(await duration(lying)).toBe(maxBillableAudioMs(lying.length));
  });

  it('bounds MP4, Ogg, FLAC and WebM headers claiming ten hours by the bytes present', async () => {
    const m4a = Buffer.from(fixture('speech.m4a'));
    for (const box of ['mvhd', 'mdhd']) {
      const at = offsetOf(m4a, box);
      expect(m4a[at + 4]).toBe(0); // version 0: 32-bit timescale and duration
      m4a.writeUInt32BE(m4a.readUInt32BE(at + 16) * TEN_HOURS_S, at + 20);
    }
    const opus = Buffer.from(fixture('speech-opus.ogg'));
    opus.writeBigUInt64LE(BigInt(48_000 * TEN_HOURS_S), offsetOf(opus, 'OggS', true) + 6);
    const flac = Buffer.from(fixture('speech.flac'));
    // STREAMINFO's 36-bit total sample count: the low nibble of byte 21, then bytes 22–25
    const samples = 8_000 * TEN_HOURS_S;
    flac[21] = ((flac[21] ?? 0) & 0xf0) | Math.floor(samples / 2 ** 32);
    flac.writeUInt32BE(samples % 2 ** 32, 22);
    const webm = Buffer.from(fixture('speech.webm'));
    // Segment Info's Duration (0x4489), a float in TimecodeScale units (1 ms)
    const at = webm.indexOf(Buffer.from([0x44, 0x89]));
    if (webm[at + 2] === 0x88) webm.writeDoubleBE(TEN_HOURS_S * 1000, at + 3);
    else webm.writeFloatBE(TEN_HOURS_S * 1000, at + 3);
    for (const lying of [m4a, opus, flac, webm]) {
      expect(await duration(lying)).toBe(maxBillableAudioMs(lying.length));
    }
  });

  it('bills a truncated file no longer than the bytes it holds allow', async () => {
    for (const name of ['speech-cbr.mp3', 'speech-vbr.mp3', 'speech-opus.ogg', 'speech.flac', 'speech.m4a']) {
      const half = fixture(name).subarray(0, Math.floor(fixture(name).length / 2));
      const ms = await duration(half);
      if (ms !== null) expect(ms, name).toBeLessThanOrEqual(Math.min(2_100, maxBillableAudioMs(half.length)));
    }
  });

  it('gives up on bytes that make the parser resynchronise at every offset, quickly', async () => {
    const started = performance.now();
    // 0xFF everywhere reads as an MPEG frame sync that never holds a valid header
    expect(await duration(Buffer.alloc(10 * 1024 * 1024, 0xff), 'audio/mpeg')).toBeNull();
    // a complexity bound, far above the bounded read (~1 s) and far below the unbounded one (~140 s)
    expect(performance.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it('lets other work run while it parses', async () => {
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    try {
      await duration(Buffer.alloc(1024 * 1024, 0xff));
    } finally {
      clearInterval(ticker);
    }
    expect(turns).toBeGreaterThan(5);
  });

  it('refuses an MP3 with more frames than the read budget counts and no header giving its length', async () => {
    // The VBR fixture's frames repeated: more frames than the budget counts, and no Xing frame
    const frames = fixture('speech-vbr.mp3');
    const long = Buffer.concat(Array.from({ length: 400 }, () => frames));
    expect(await duration(long)).toBeNull();
  });
});
