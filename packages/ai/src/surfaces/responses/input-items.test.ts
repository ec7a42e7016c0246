import { describe, expect, it } from 'vitest';
import { type ItemListQuery, pageItems, parseItemListQuery } from './item-list.ts';
import { storedInputItems, withItemIds } from './items.ts';

const query = (search: string): ItemListQuery => {
  const parsed = parseItemListQuery(new URLSearchParams(search));
  if (!parsed.ok) throw new Error(parsed.error.error.message);
  return parsed.value;
};

const refusal = (search: string) => {
  const parsed = parseItemListQuery(new URLSearchParams(search));
  if (parsed.ok) throw new Error(`accepted ${search}`);
  return parsed.error.error;
};

describe('stored conversation item ids', () => {
  it('gives every item an id, stable across reads, and keeps the first of each own id', () => {
    const items = [
      { type: 'message', role: 'user', content: 'hi' },
      { type: 'message', role: 'assistant', id: 'msg_out', content: [{ type: 'output_text', text: 'yo' }] },
      { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c', output: 'done' },
      { type: 'message', role: 'assistant', id: 'msg_out', content: 'echoed twice' },
      { type: 'reasoning', id: '' },
    ];
    const first = withItemIds(items, 'resp_1') as { id: string }[];
    expect(first.map((item) => item.id.split('_')[0])).toEqual(['msg', 'msg', 'fc', 'fco', 'msg', 'rs']);
    expect(first[1]?.id).toBe('msg_out');
    expect(new Set(first.map((item) => item.id)).size).toBe(items.length);
    expect(withItemIds(items, 'resp_1')).toEqual(first);
    // ids already given are kept: storing the conversation again changes nothing
    expect(withItemIds(first, 'resp_2')).toEqual(first);
    // another response's conversation gets other ids for its own items
    expect((withItemIds(items, 'resp_2') as { id: string }[])[0]?.id).not.toBe(first[0]?.id);
  });

  it("lists a response's input without its own output, in OpenAI's item shapes", () => {
    const output = [{ type: 'message', id: 'msg_answer', role: 'assistant', content: [] }];
    const items = withItemIds(
      [
        { type: 'message', role: 'user', content: 'first question' },
        { type: 'message', role: 'assistant', id: 'msg_earlier', content: 'an earlier answer' },
        { type: 'function_call_output', call_id: 'c', output: 'sunny' },
        ...output,
      ],
      'resp_1',
    );
    const listed = storedInputItems(items, { id: 'resp_1', output });
    expect(listed).toEqual([
      {
        type: 'message',
        id: expect.stringMatching(/^msg_[0-9a-f]{48}$/),
        role: 'user',
        status: 'completed',
        content: [{ type: 'input_text', text: 'first question' }],
      },
      {
        type: 'message',
        id: 'msg_earlier',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'an earlier answer', annotations: [] }],
      },
      {
        type: 'function_call_output',
        id: expect.stringMatching(/^fco_/),
        call_id: 'c',
        output: 'sunny',
        status: 'completed',
      },
    ]);
    expect(storedInputItems('not a list', {})).toEqual([]);
  });
});

describe('input item list query', () => {
  it('defaults to 20 items, newest first', () => {
    expect(query('')).toEqual({ limit: 20, order: 'desc', after: null });
    expect(query('limit=100&order=asc&after=msg_1&include[]=message.input_image.image_url')).toEqual({
      limit: 100,
      order: 'asc',
      after: 'msg_1',
    });
  });

  it('refuses a bad limit, order, include or before, naming the parameter', () => {
    expect(refusal('limit=0')).toMatchObject({
      type: 'invalid_request_error',
      param: 'limit',
      code: 'integer_below_min_value',
    });
    expect(refusal('limit=101')).toMatchObject({ param: 'limit', code: 'integer_above_max_value' });
    expect(refusal('limit=ten')).toMatchObject({ param: 'limit', code: 'invalid_type' });
    expect(refusal('limit=2.5')).toMatchObject({ param: 'limit', code: 'invalid_type' });
    expect(refusal('order=up')).toMatchObject({ param: 'order', code: 'invalid_value' });
    expect(refusal('include[]=file_search_call.results')).toMatchObject({
      param: 'include',
      code: 'unsupported_parameter',
    });
    expect(refusal('include=no.such.field').message).toContain("'no.such.field'");
    expect(refusal('before=msg_1')).toMatchObject({ param: 'before', code: 'unsupported_parameter' });
  });
});

describe('input item pages', () => {
  const items = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
  const page = (search: string) => {
    const paged = pageItems(items, query(search));
    if (!paged.ok) throw new Error(paged.error.error.message);
    return paged.value;
  };

  it('pages after a cursor in either order, saying whether more follow', () => {
    expect(page('limit=2')).toEqual({
      object: 'list',
      data: [{ id: 'e' }, { id: 'd' }],
      first_id: 'e',
      last_id: 'd',
      has_more: true,
    });
    expect(page('limit=2&after=d')).toMatchObject({ data: [{ id: 'c' }, { id: 'b' }], has_more: true });
    expect(page('limit=2&after=b')).toMatchObject({ data: [{ id: 'a' }], has_more: false });
    expect(page('order=asc&limit=3&after=a')).toMatchObject({
      data: [{ id: 'b' }, { id: 'c' }, { id: 'd' }],
      first_id: 'b',
      last_id: 'd',
      has_more: true,
    });
    expect(page('order=asc&after=e')).toEqual({
      object: 'list',
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
  });

  it('refuses a cursor that names no item of the response', () => {
    const paged = pageItems(items, query('after=zz'));
    expect(paged.ok).toBe(false);
    expect(!paged.ok && paged.error.error).toMatchObject({ param: 'after', code: 'invalid_value' });
  });
});
