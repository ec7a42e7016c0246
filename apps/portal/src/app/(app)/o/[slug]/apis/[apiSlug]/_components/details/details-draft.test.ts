import { describe, expect, it } from 'vitest';
import { parseDraft } from '../../../../../../../../components/forms/draft-text';
import { toDetailsDraft, ZDetailsForm } from './details-draft';

const api = {
  id: 'api_1',
  name: 'Weather',
  description: 'Forecasts.',
  tags: ['weather', 'maps'],
  visibility: 'ORG' as const,
  rateLimitAccuracy: 'LOCAL_FIRST' as const,
};

describe('details draft', () => {
  it('round-trips an API through the form unchanged', () => {
    const { id: _id, ...details } = api;
    expect(parseDraft(ZDetailsForm, toDetailsDraft(api))).toEqual({ ok: true, input: details });
  });

  it('reads tags as a comma-separated list: trimmed, lower-cased, empty ones and repeats dropped', () => {
    const result = parseDraft(ZDetailsForm, { ...toDetailsDraft(api), tags: ' Maps, ,maps,Geo ,' });
    expect(result.ok && result.input.tags).toEqual(['maps', 'geo']);
    expect(parseDraft(ZDetailsForm, { ...toDetailsDraft(api), tags: '' })).toMatchObject({
      ok: true,
      input: { tags: [] },
    });
  });

  it("names bad fields with the server's messages", () => {
    const result = parseDraft(ZDetailsForm, { ...toDetailsDraft(api), name: ' ', tags: 'ok, -bad' });
    expect(result).toEqual({
      ok: false,
      errors: { name: 'Name is required', 'tags.1': 'Tags use letters, digits, spaces and + # . _ -' },
    });
  });
});
