import type { Problem } from './problem';

type BodyOutcome = { ok: true; value: unknown } | { ok: false; problem: Problem };

const tooLarge = (limit: number): Problem => ({
  status: 413,
  code: 'PAYLOAD_TOO_LARGE',
  title: 'Payload too large',
  detail: `The body is larger than ${limit} bytes`,
});

/**
 * The JSON body, read with a byte cap (Content-Length is checked first, then counted while streaming,
 * since chunked bodies have none). No body is `undefined`.
 */
export async function readJsonBody(request: Request, limit: number): Promise<BodyOutcome> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) return { ok: false, problem: tooLarge(limit) };
  if (!request.body) return { ok: true, value: undefined };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return { ok: false, problem: tooLarge(limit) };
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  const type = request.headers.get('content-type') ?? 'application/json';
  if (!/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) {
    return {
      ok: false,
      problem: {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        title: 'Unsupported media type',
        detail: 'Send the body as application/json',
      },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return {
      ok: false,
      problem: {
        status: 400,
        code: 'INVALID_JSON',
        title: 'Invalid JSON',
        detail: 'The body is not valid JSON',
      },
    };
  }
}
