/**
 * Where next-auth may send the browser after signing in or out: same-origin only. Relative paths are
 * resolved against the portal and must stay on it (`//host`, `/\host` and tab tricks are normalised by
 * the URL parser first, then checked); absolute URLs must have the portal's own origin; anything else,
 * unparsable input included (`%2F%2Fevil.com`, `javascript:`), goes to the portal's root.
 */
export function safeAuthRedirect(url: string, baseUrl: string): string {
  const base = new URL(baseUrl);
  let target: URL;
  try {
    target = url.startsWith('/') ? new URL(url, base) : new URL(url);
  } catch {
    return base.origin;
  }
  if (target.origin !== base.origin) return base.origin;
  const path = `${target.pathname}${target.search}${target.hash}`;
  if (path.startsWith('//') || path.startsWith('/\\')) return base.origin;
  return `${base.origin}${path}`;
}
