const INVALID = 'Invalid email or password';

/**
 * The brute-force guard's refusal arrives as the next-auth code `throttled-<seconds>`; every other
 * failure (unknown email, wrong password, malformed input) reads exactly the same.
 */
export function signInErrorMessage(code: string | undefined): string {
  const seconds = code?.match(/^throttled-(\d{1,6})$/)?.[1];
  return seconds ? `Too many sign-in attempts. Try again in ${seconds} s.` : INVALID;
}

/** `?error=` values next-auth (and the OAuth sign-in callback) send back to the sign-in page. */
const PAGE_ERRORS: Record<string, string> = {
  OAuthEmailNotVerified:
    'That provider did not confirm a verified email address, so we could not sign you in with it.',
  OAuthSignin: 'Signing in with that provider failed. Please try again.',
  OAuthCallbackError: 'Signing in with that provider failed. Please try again.',
  AccessDenied: 'Signing in with that provider was refused.',
};

/** A fixed message for a known `?error=` value; text from the URL itself is never shown. */
export function pageErrorMessage(error: string | null): string | null {
  return error && Object.hasOwn(PAGE_ERRORS, error) ? (PAGE_ERRORS[error] ?? null) : null;
}
