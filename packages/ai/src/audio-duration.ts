/*
 * How long a transcription's audio is, for metering, from what a client cannot bend:
 * - a WAV file's length is its data chunk's bytes ÷ the byte rate its samples are played at (a PCM
 *   decoder ignores the `fact` chunk, so a header that claims more or fewer samples decides nothing);
 * - no file is billed as longer than its size at the lowest bitrate speech is sensibly sent at
 *   (MIN_AUDIO_BYTES_PER_SECOND, 8 kbit/s), whatever its header says;
 * - srt/vtt answers time their cues: the last cue's end is audio the provider heard.
 */

/** 8 kbit/s: the lowest bitrate billed audio is taken to have; a file is never billed longer than its
 * size at that rate. */
const MIN_AUDIO_BYTES_PER_SECOND = 1_000;

/** The longest a file of `size` bytes is billed as, in milliseconds. */
export const maxBillableAudioMs = (size: number): number =>
  Math.floor((size * 1000) / MIN_AUDIO_BYTES_PER_SECOND);

const WAVE_PCM = 1;
const WAVE_FLOAT = 3;
const WAVE_EXTENSIBLE = 0xfffe;

/**
 * A RIFF/WAVE file's length from its data chunk (bounded by the bytes actually present); null when the
 * bytes are not a WAV with a usable `fmt ` chunk ahead of its `data` chunk.
 */
export function wavDurationMs(bytes: Uint8Array): number | null {
  if (bytes.length < 12) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return null;
  let bytesPerSecond = 0;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ' && size >= 16 && body + 16 <= bytes.length) {
      bytesPerSecond = fmtBytesPerSecond(view, body);
    } else if (id === 'data') {
      if (bytesPerSecond <= 0) return null;
      const present = Math.min(size, bytes.length - body);
      return present > 0 ? Math.round((present * 1000) / bytesPerSecond) : null;
    }
    offset = body + size + (size % 2);
  }
  return null;
}

/** The rate the data plays at: for PCM and float, from the sample layout (what a decoder uses); for
 * compressed formats, the header's average byte rate. */
function fmtBytesPerSecond(view: DataView, body: number): number {
  const format = view.getUint16(body, true);
  const channels = view.getUint16(body + 2, true);
  const sampleRate = view.getUint32(body + 4, true);
  const averageRate = view.getUint32(body + 8, true);
  const bits = view.getUint16(body + 14, true);
  const linear = format === WAVE_PCM || format === WAVE_FLOAT || format === WAVE_EXTENSIBLE;
  return linear ? sampleRate * channels * Math.ceil(bits / 8) : averageRate;
}

const CUE = /((?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})[ \t]*-->[ \t]*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})/g;

/** The end of the last timed cue of an srt or vtt text, in milliseconds; null when it has none. */
export function lastCueEndMs(text: string): number | null {
  let last: number | null = null;
  for (const match of text.matchAll(CUE)) {
    const end = timestampMs(match[2] ?? '');
    if (end !== null && (last === null || end > last)) last = end;
  }
  return last;
}

function timestampMs(stamp: string): number | null {
  const [clock = '', millis = ''] = stamp.split(/[.,]/);
  const parts = clock.split(':').map(Number);
  if (parts.some((part) => !Number.isFinite(part))) return null;
  const seconds = parts.reduce((total, part) => total * 60 + part, 0);
  return seconds * 1000 + Number(millis);
}
