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
  let value: unknown;
  try {
    value = JSON.parse(text);
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
  // JSON spells a NUL only as the escape \u0000; the walk runs only when the text has one.
  if (/\\u0000/.test(text) && containsNul(value)) return { ok: false, problem: nulProblem };
  return { ok: true, value };
}

/** Postgres text cannot hold U+0000: refused up front rather than failing as a 500 in the database. */
export const nulProblem: Problem = {
  status: 400,
  code: 'NUL_CHARACTER',
  title: 'NUL character',
  detail: 'Text may not contain the NUL character (\\u0000)',
};

/** Whether any string or key in a parsed JSON value holds U+0000 (iterative: deep documents are fine). */
export function containsNul(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.includes('\0')) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\0')) return true;
        stack.push(item);
      }
    }
  }
  return false;
}
