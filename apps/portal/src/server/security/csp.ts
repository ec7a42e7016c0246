import { type NextRequest, NextResponse } from 'next/server';
import { contentSecurityPolicy } from '../../../next.config';
import { env } from '../../env';

/**
 * The Content-Security-Policy of the portal's pages: scripts run only with this response's nonce.
 *
 * Next.js reads the nonce from the Content-Security-Policy *request* header the proxy forwards
 * (`script-src 'nonce-…'`) and puts it on every script it renders: its bootstrap, the inline flight
 * data and its chunks; `'strict-dynamic'` lets those trusted scripts load the chunks they need. Pages
 * must render per request for this (a prerendered page would carry no nonce): the root layout opts
 * every page into dynamic rendering.
 *
 * Styles keep 'unsafe-inline': server-rendered `style` attributes need it, and a `<style>` element
 * that arrives with a client-side navigation was rendered under another request's nonce than the one
 * the document's policy names.
 */
export const NONCE_HEADER = 'x-nonce';

/** 128 random bits, base64: a fresh one per response. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** The static policy of next.config.ts, with this response's nonce trusted to run scripts. */
export function pageContentSecurityPolicy(nonce: string, options: { development?: boolean } = {}): string {
  return contentSecurityPolicy({ ...options, scriptSources: [`'nonce-${nonce}'`, "'strict-dynamic'"] });
}

/**
 * `NextResponse.next()` for a page, with a fresh nonce: the policy goes to Next.js on the request (it
 * reads the nonce from there) and to the browser on the response. `headers` are the request headers
 * to forward, for a proxy that sets its own too.
 */
export function nextWithCsp(req: NextRequest, headers: Headers = new Headers(req.headers)): NextResponse {
  const nonce = createNonce();
  const policy = pageContentSecurityPolicy(nonce, { development: env.NODE_ENV === 'development' });
  headers.set(NONCE_HEADER, nonce);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}
