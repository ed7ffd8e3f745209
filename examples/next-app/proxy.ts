import { NextResponse, type NextRequest } from 'next/server';
import { OWNER_COOKIE } from './lib/owner';

/** Gives a browser that loads a page its anonymous owner id (see lib/owner.ts), once. */
export function proxy(request: NextRequest) {
  const response = NextResponse.next();
  if (!request.cookies.has(OWNER_COOKIE)) {
    response.cookies.set(OWNER_COOKIE, crypto.randomUUID(), {
      httpOnly: true,
      sameSite: 'lax',
      secure: process.env.NODE_ENV === 'production' && request.nextUrl.protocol === 'https:',
      path: '/',
      maxAge: 60 * 60 * 24 * 365,
    });
  }
  return response;
}

// Pages only: not the API, not static assets.
export const config = { matcher: ['/((?!api/|_next/|icon\\.svg|favicon\\.ico).*)'] };
