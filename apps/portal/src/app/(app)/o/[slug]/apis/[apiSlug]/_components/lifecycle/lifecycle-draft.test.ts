import { describe, expect, it } from 'vitest';
import { firstSunsetDay, newDeprecation, sunsetAt, ZDeprecationDraft, ZRetireDraft } from './lifecycle-draft';

const NOW = Date.UTC(2026, 0, 10, 12);

describe('lifecycle drafts', () => {
  it('offers a sunset 90 days out, from tomorrow on', () => {
    expect(newDeprecation(NOW)).toEqual({ sunset: '2026-04-10', message: '' });
    expect(firstSunsetDay(NOW)).toBe('2026-01-11');
  });
  it('ends the sunset day at its last second (UTC)', () => {
    expect(sunsetAt('2026-04-10')).toBe('2026-04-10T23:59:59Z');
  });
  it('asks for a date and trims the message', () => {
    expect(ZDeprecationDraft.safeParse({ sunset: '', message: '' }).success).toBe(false);
    expect(ZDeprecationDraft.parse({ sunset: '2026-04-10', message: ' Move on ' }).message).toBe('Move on');
  });
  it('asks for the slug to retire', () => {
    expect(ZRetireDraft.safeParse({ confirmSlug: ' ' }).success).toBe(false);
    expect(ZRetireDraft.parse({ confirmSlug: 'Ledger' })).toEqual({ confirmSlug: 'ledger' });
  });
});
