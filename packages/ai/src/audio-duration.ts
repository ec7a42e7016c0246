import { type IAudioMetadata, type IFormat, parseFromTokenizer } from 'music-metadata';
import { fromBuffer } from 'strtok3';

/*
 * How long a transcription's audio is, for metering, from what a client cannot bend:
 * - a WAV file's length is its data chunk's bytes ÷ the byte rate its samples are played at (a PCM
 *   decoder ignores the `fact` chunk, so a header that claims more or fewer samples decides nothing);
 * - other containers (MP3, M4A/MP4, Ogg Vorbis/Opus, FLAC, WebM…) are read by music-metadata, whose
 *   duration comes from a header (Xing/Info frame count, mvhd, the last Ogg granule, STREAMINFO, the
 *   Segment's Duration) or from the frames it counts; a header can claim any length, but no codec fits
 *   a second of audio in fewer bytes than its lowest bitrate, so the file is never billed longer than
 *   its size at that floor (codecFloorBytesPerSecond: 32 kbit/s for MPEG-1 audio, whose frames cannot
 *   be smaller, else 8 kbit/s);
 * - no file is billed as longer than its size at the lowest bitrate speech is sensibly sent at
 *   (MIN_AUDIO_BYTES_PER_SECOND, 8 kbit/s), whatever its header says;
 * - srt/vtt answers time their cues: the last cue's end is audio the provider heard.
 * Reading is bounded: the parser gets a fixed number of reads (PARSE_STEPS), so bytes built to make it
 * resynchronise at every offset cost about a second, not minutes, and it yields to the event loop as
 * it goes.
 */

/** 8 kbit/s: the lowest bitrate billed audio is taken to have; a file is never billed longer than its
 * size at that rate. */
const MIN_AUDIO_BYTES_PER_SECOND = 1_000;

/** 32 kbit/s: MPEG-1 audio's lowest bitrate (layers I–III); each of its frames holds at least that many
 * bytes per second it plays. MPEG-2 and 2.5 go down to 8 kbit/s, the general floor. */
const MPEG1_MIN_BYTES_PER_SECOND = 4_000;

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

/**
 * Reads (peeks and skips) one file's parse may make. A genuine file needs a few per frame or page and
 * only a VBR MP3 without a Xing header has its frames counted one by one: 150 000 reads cover ~20
 * minutes of it at 8 kbit/s (~0.2 s), and about a second when every read fails to find a frame.
 */
const PARSE_STEPS = 150_000;

/** Reads for the second, header-only look at a file whose frames were too many to count. */
const HEADER_ONLY_STEPS = 5_000;

/** What one parse may still spend. */
interface ParseBudget {
  steps: number;
}

class ParseBudgetSpent extends Error {}

/**
 * A container's length in milliseconds as music-metadata tells it, capped at the file's size at its
 * codec's floor bitrate; null when the bytes are no audio it can time (unknown, corrupt or too many
 * frames to count within the read budget, without a header giving the length).
 * The bytes decide first (a client's content type may be wrong or generic); `type` is only a hint for
 * formats the content alone does not tell.
 */
export async function containerDurationMs(bytes: Uint8Array, type: string): Promise<number | null> {
  const budget: ParseBudget = { steps: PARSE_STEPS };
  const counted =
    (await timedFormat(bytes, { size: bytes.length }, budget, true)) ??
    (type && budget.steps > 0
      ? await timedFormat(bytes, { mimeType: type, size: bytes.length }, budget, true)
      : null);
  // Past the budget only a header's length (Xing/Info, a CBR frame's bitrate × the size…) is taken.
  const format =
    counted ??
    (budget.steps > 0
      ? null
      : await timedFormat(bytes, { size: bytes.length }, { steps: HEADER_ONLY_STEPS }, false));
  if (!format?.duration) return null;
  const floorMs = Math.floor((bytes.length * 1000) / codecFloorBytesPerSecond(format));
  return Math.min(Math.round(format.duration * 1000), floorMs);
}

/** The least bytes a second of the codec can take: what bounds a header's claimed length. */
function codecFloorBytesPerSecond(format: Pick<IFormat, 'codec' | 'bitrate'>): number {
  // A frame with a bitrate index was read (free-format MPEG has none and no floor of its own).
  const mpeg1 = /^MPEG 1 Layer/.test(format.codec ?? '') && (format.bitrate ?? 0) > 0;
  return mpeg1 ? MPEG1_MIN_BYTES_PER_SECOND : MIN_AUDIO_BYTES_PER_SECOND;
}

/** The parsed format when it has a positive, finite duration and the parse kept within its budget. */
async function timedFormat(
  bytes: Uint8Array,
  fileInfo: { mimeType?: string; size: number },
  budget: ParseBudget,
  countFrames: boolean,
): Promise<IFormat | null> {
  let meta: IAudioMetadata;
  try {
    meta = await parseFromTokenizer(budgetedTokenizer(bytes, fileInfo, budget), {
      duration: countFrames,
      skipCovers: true,
    });
  } catch {
    return null;
  }
  // A parser may swallow the budget's error and end early with a partial count.
  if (budget.steps < 0) return null;
  const seconds = meta.format.duration;
  return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? meta.format : null;
}

/** Reads between two turns of the event loop, so a long parse does not hold other requests up. */
const STEPS_PER_TURN = 2_000;

/**
 * A tokenizer over the bytes (it never reads past them) that spends one step per read or skip and
 * gives the event loop a turn every STEPS_PER_TURN steps (music-metadata's reads of a buffer resolve
 * at once, so the whole parse would otherwise run as one block).
 */
function budgetedTokenizer(
  bytes: Uint8Array,
  fileInfo: { mimeType?: string; size: number },
  budget: ParseBudget,
) {
  const tokenizer = fromBuffer(bytes, { fileInfo });
  const spend = async () => {
    budget.steps -= 1;
    if (budget.steps < 0) throw new ParseBudgetSpent('audio parse budget spent');
    if (budget.steps % STEPS_PER_TURN === 0) await new Promise((turn) => setImmediate(turn));
  };
  const peekBuffer = tokenizer.peekBuffer.bind(tokenizer);
  const ignore = tokenizer.ignore.bind(tokenizer);
  tokenizer.peekBuffer = async (target, options) => {
    await spend();
    return peekBuffer(target, options);
  };
  tokenizer.ignore = async (length) => {
    await spend();
    return ignore(length);
  };
  return tokenizer;
}
