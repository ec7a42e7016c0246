import { describe, expect, it } from 'vitest';
import { type PriceRow, toPriceDraft, unitPrices, ZPriceForm } from './price-draft';

const row: PriceRow = {
  id: 'p1',
  provider: 'openai',
  model: 'whisper-1',
  inputPerMillion: '0',
  outputPerMillion: '0',
  perImage: null,
  perAudioSecond: '0.0001',
  perCall: null,
  contextWindow: null,
  maxOutputTokens: 4096,
  inputModalities: ['audio'],
  outputModalities: ['text'],
};

describe('price form draft', () => {
  it('round-trips a row: empty text clears, checks become modality lists', () => {
    const parsed = ZPriceForm.parse(toPriceDraft(row));
    expect(parsed).toEqual({
      provider: 'openai',
      model: 'whisper-1',
      inputPerMillion: '0',
      outputPerMillion: '0',
      perImage: null,
      perAudioSecond: '0.0001',
      perCall: null,
      contextWindow: null,
      maxOutputTokens: 4096,
      inputModalities: ['audio'],
      outputModalities: ['text'],
    });
  });

  it("shows the server's messages for bad amounts and token counts", () => {
    const draft = { ...toPriceDraft(row), perImage: '1e3', contextWindow: '1.5', maxOutputTokens: 'lots' };
    const result = ZPriceForm.safeParse(draft);
    expect(result.success).toBe(false);
    const fields = result.error?.issues.map((i) => i.path.join('.'));
    expect(fields).toEqual(expect.arrayContaining(['maxOutputTokens']));
    const later = ZPriceForm.safeParse({ ...draft, maxOutputTokens: '' });
    expect(later.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['perImage', 'contextWindow']),
    );
  });

  it('summarises the per-unit prices', () => {
    expect(unitPrices(row)).toBe('$0.0001 / s audio');
    expect(unitPrices({ perImage: '0.04', perAudioSecond: null, perCall: '0.01' })).toBe(
      '$0.04 / image · $0.01 / call',
    );
    expect(unitPrices({ perImage: null, perAudioSecond: null, perCall: null })).toBe('—');
  });
});
