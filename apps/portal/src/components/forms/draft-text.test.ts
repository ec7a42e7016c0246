import { describe, expect, it } from 'vitest';
import { lines, slugList } from './draft-text';

describe('draft text', () => {
  it('reads slugs separated by commas or whitespace, lower-cased', () => {
    expect(slugList(' Acme, globex\nINITECH  ,,')).toEqual(['acme', 'globex', 'initech']);
    expect(slugList('  ')).toEqual([]);
  });
  it('reads non-empty trimmed lines', () => {
    expect(lines(' a \n\n b,c ')).toEqual(['a', 'b,c']);
    expect(lines('a,b\nc', true)).toEqual(['a', 'b', 'c']);
  });
});
