import { describe, expect, it } from 'vitest';
import { kindText, lastSentText } from './alert-text';

describe('alert text', () => {
  it('names what an alert measures', () => {
    expect(kindText('SUBSCRIPTION_QUOTA')).toBe('monthly quota');
    expect(kindText('API_REQUESTS')).toBe('monthly request target');
  });

  it('says when the last notification went out, in UTC', () => {
    expect(lastSentText(null)).toBeNull();
    expect(lastSentText({ threshold: 80, at: new Date('2026-05-01T23:30:00Z') })).toBe('80% on 2026-05-01');
  });
});
