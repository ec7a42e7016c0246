/**
 * Cross-site request refusal for state-changing routes (tRPC mutations ride on POST).
 *
 * Browsers send `Origin` on every non-GET request and `Sec-Fetch-Site` on every request; a page on
 * another site can make the browser POST here with the session cookie, but it cannot forge these.
 * A request without either header does not come from a browser (curl, server-side callers) and carries
 * no ambient cookie to abuse, so it is let through.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** The origins the portal answers on: its public URL and the host this request was addressed to. */
function ownOrigins(request: Request, portalPublicUrl: string): Set<string> {
  const origins = new Set<string>();
  const publicOrigin = originOf(portalPublicUrl);
  if (publicOrigin) origins.add(publicOrigin);
  const url = new URL(request.url);
  origins.add(url.origin);
  // Behind a reverse proxy the URL Next sees is internal; the browser used the forwarded host.
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  if (host) {
    const proto =
      request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() || url.protocol.slice(0, -1);
    const forwarded = originOf(`${proto}://${host.split(',')[0]!.trim()}`);
    if (forwarded) origins.add(forwarded);
  }
  return origins;
}

/** Why the request must be refused as cross-site, or null when it may proceed. */
export function crossSiteRefusal(request: Request, portalPublicUrl: string): string | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  const fetchSite = request.headers.get('sec-fetch-site');
  if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    return `Cross-site request refused (Sec-Fetch-Site: ${fetchSite})`;
  }
  const origin = request.headers.get('origin');
  if (origin === null) return null;
  const parsed = origin === 'null' ? null : originOf(origin);
  if (!parsed || !ownOrigins(request, portalPublicUrl).has(parsed)) {
    return `Cross-site request refused (Origin: ${origin})`;
  }
  return null;
}

/** The 403 a refused request gets; JSON, never cached. */
export function crossSiteResponse(reason: string): Response {
  return Response.json(
    { error: { code: 'FORBIDDEN', message: reason } },
    { status: 403, headers: { 'cache-control': 'no-store' } },
  );
}
