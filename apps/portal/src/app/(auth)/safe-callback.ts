const BASE = 'http://portal.invalid';

/** Only same-site relative paths survive: never `//host`, `/\host` or absolute URLs (open redirect). */
export function safeCallbackUrl(raw: string | null | undefined, fallback = '/dashboard'): string {
  if (!raw?.startsWith('/')) return fallback;
  try {
    const url = new URL(raw, BASE);
    if (url.origin !== BASE) return fallback;
    // The parser normalises (drops tabs, resolves dots), so check what it produced, not what came in.
    const path = `${url.pathname}${url.search}${url.hash}`;
    return path.startsWith('//') || path.startsWith('/\\') ? fallback : path;
  } catch {
    return fallback;
  }
}
