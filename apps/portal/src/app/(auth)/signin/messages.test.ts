import { describe, expect, it } from 'vitest';
import { pageErrorMessage, signInErrorMessage } from './messages';

describe('signInErrorMessage', () => {
  it('names the wait when the guard refused', () => {
    expect(signInErrorMessage('throttled-60')).toBe('Too many sign-in attempts. Try again in 60 s.');
  });

  it('reads the same for every other failure, whatever the code says', () => {
    for (const code of [
      undefined,
      'credentials',
      'throttled-',
      'throttled-abc',
      'throttled-1234567',
      '<b>',
    ]) {
      expect(signInErrorMessage(code)).toBe('Invalid email or password');
    }
  });

  it('only knows fixed page errors (no text from the URL is shown)', () => {
    expect(pageErrorMessage('OAuthEmailNotVerified')).toMatch(/verified email/);
    for (const error of [null, '', '<script>', 'toString', '__proto__', 'constructor']) {
      expect(pageErrorMessage(error)).toBeNull();
    }
  });
});
