import { FormData, Response } from 'undici';
import { describe, expect, it } from 'vitest';
import { wavFile } from '../../../test/fakes/llm/wav.ts';
import { audioDurationMs, parseTranscriptionForm } from './audio.ts';

/** A multipart body as a client would send it, with its content type. */
async function multipart(fields: Record<string, string | Blob>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, 'audio.wav');
  }
  const response = new Response(form);
  return {
    body: new Uint8Array(await response.arrayBuffer()),
    type: response.headers.get('content-type') ?? undefined,
  };
}

const wav = (seconds: number) => new Blob([new Uint8Array(wavFile(seconds))], { type: 'audio/wav' });

describe('transcription uploads', () => {
  it('reads the form and the audio length from the WAV header', async () => {
    const { body, type } = await multipart({ model: 'hear', file: wav(1.5), response_format: 'srt' });
    const parsed = await parseTranscriptionForm(body, type);
    if (!parsed.ok) throw new Error(parsed.error.error.message);
    expect(parsed.value).toMatchObject({ model: 'hear', responseFormat: 'srt' });
    expect(await audioDurationMs(parsed.value.file)).toBe(1_500);
  });

  it('refuses what is not a complete, known multipart form', async () => {
    const refused = async (body: Uint8Array, type: string | undefined) => {
      const parsed = await parseTranscriptionForm(body, type);
      return parsed.ok ? null : parsed.error.error;
    };
    const text = new TextEncoder().encode('garbage');
    expect(await refused(text, 'application/json')).toMatchObject({ type: 'invalid_request_error' });
    expect(await refused(text, 'multipart/form-data; boundary=x')).toMatchObject({
      message: expect.stringContaining('could not be read'),
    });
    const noFile = await multipart({ model: 'hear' });
    expect(await refused(noFile.body, noFile.type)).toMatchObject({ param: 'file' });
    const noModel = await multipart({ file: wav(1) });
    expect(await refused(noModel.body, noModel.type)).toMatchObject({ param: 'model' });
    const extra = await multipart({ model: 'hear', file: wav(1), callback_url: 'http://x' });
    expect(await refused(extra.body, extra.type)).toMatchObject({ param: 'callback_url' });
    const hot = await multipart({ model: 'hear', file: wav(1), temperature: '2' });
    expect(await refused(hot.body, hot.type)).toMatchObject({ param: 'temperature' });
    const format = await multipart({ model: 'hear', file: wav(1), response_format: 'mp3' });
    expect(await refused(format.body, format.type)).toMatchObject({ param: 'response_format' });
  });

  it('trusts the bytes over a wrong content type', async () => {
    const { File } = await import('node:buffer');
    const mislabelled = new File([new Uint8Array(wavFile(1.5))], 'x.mp3', { type: 'audio/mpeg' });
    expect(await audioDurationMs(mislabelled)).toBe(1_500);
  });

  it('gives no duration for bytes that are not audio', async () => {
    const { File } = await import('node:buffer');
    expect(await audioDurationMs(new File([new Uint8Array(64)], 'x.wav'))).toBeNull();
    expect(await audioDurationMs(new File([new TextEncoder().encode('RIFF....WAVE')], 'x.wav'))).toBeNull();
  });
});
