import { describe, expect, it } from 'vitest';
import { documentProblem, MAX_DOCUMENT_DEPTH } from './json-depth.ts';

/** `{"a":{"a":…}}` built without recursion, `levels` objects deep, under `key` at the top. */
function nested(levels: number, key = 'x'): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return { [key]: value };
}

describe('documentProblem', () => {
  it('accepts documents up to the depth limit and names the top-level field past it', () => {
    expect(documentProblem(nested(MAX_DOCUMENT_DEPTH - 1))).toBeNull();
    expect(documentProblem(nested(MAX_DOCUMENT_DEPTH, 'paths'))).toEqual({
      field: 'paths',
      message: `The document nests deeper than ${MAX_DOCUMENT_DEPTH} levels`,
    });
    expect(documentProblem([[[1]]], { maxDepth: 2, maxBytes: 1000 })).toEqual({
      field: '0',
      message: 'The document nests deeper than 2 levels',
    });
  });

  it('checks a million levels without overflowing the stack', () => {
    // JSON.parse is iterative; anything recursive on this document throws RangeError.
    const depth = 1_000_000;
    const doc = JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;
    expect(documentProblem(doc)?.message).toBe(`The document nests deeper than ${MAX_DOCUMENT_DEPTH} levels`);
  });

  it('refuses documents whose serialised size passes the limit, counted like JSON.stringify', () => {
    const doc = { spec: { text: 'x'.repeat(100) }, list: [1, 2, 3] };
    const exact = JSON.stringify(doc).length;
    expect(documentProblem(doc, { maxDepth: 10, maxBytes: exact })).toBeNull();
    expect(documentProblem(doc, { maxDepth: 10, maxBytes: exact - 1 })?.message).toBe(
      `The document is larger than ${Math.round((exact - 1) / 1000)} kB`,
    );
    expect(documentProblem(new Array(2_000_000).fill(0))).toEqual({
      field: null,
      message: 'The document is larger than 1 MB',
    });
  });
});
