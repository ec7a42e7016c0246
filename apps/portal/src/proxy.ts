import { NextResponse } from 'next/server';
import NextAuth from 'next-auth';
import { authConfig } from './server/auth.config';
import { nextWithCsp } from './server/security/csp';

// The proxy only reads the session cookie (no database): the config without the credentials provider.
// Whether the cookie's session is still live (not signed out, not ended by a password change) is
// checked by every page and API that reads the session (auth.ts), which refuses ended ones.
const { auth } = NextAuth(authConfig);

const PUBLIC_PATHS = [
  '/signin',
  '/signup',
  '/forgot-password',
  '/reset-password',
  '/verify-email',
  '/catalog',
  // the management API's reference (its OpenAPI document is public too)
  '/docs',
  // an invitation link explains itself to a signed-out visitor (the token is the capability)
  '/invite',
];

export default auth((req) => {
  const { pathname, search } = req.nextUrl;
  // The home page sends signed-out visitors to the public catalog itself.
  const isPublic =
    pathname === '/' || PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  if (!req.auth && !isPublic) {
    const url = new URL('/signin', req.nextUrl);
    url.searchParams.set('callbackUrl', `${pathname}${search}`);
    return NextResponse.redirect(url);
  }
  return nextWithCsp(req);
});

export const config = {
  // Pages only: API routes answer for themselves (401 from tRPC, next-auth's own endpoints).
  matcher: ['/((?!api/|_next/|favicon.ico|.*\\.(?:png|svg|ico|css|js)$).*)'],
};
