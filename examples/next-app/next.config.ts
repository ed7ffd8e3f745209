import type { NextConfig } from 'next';

const isDev = process.env.NODE_ENV !== 'production';

/**
 * The page's Content Security Policy. `img-src` has no remote origins: an image in a model's answer (markdown
 * `![](https://…)`) cannot load, so a prompt-injected answer cannot leak the conversation through an image URL.
 * Next.js's bootstrap is inline script ('unsafe-inline'; use nonces from a proxy for a stricter policy), and its dev
 * server also evaluates code ('unsafe-eval', development only). The route handlers add their own headers.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = [
  { key: 'Content-Security-Policy', value: contentSecurityPolicy },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), browsing-topics=()' },
];

const nextConfig: NextConfig = {
  // The kit is installed from its built dist/ (plain ESM with 'use client' kept), so no transpilePackages.
  poweredByHeader: false,
  // This app has its own lockfile inside the kit's repository: keep Turbopack's root here, not at the repository's.
  turbopack: { root: import.meta.dirname },
  async headers() {
    // Pages only: the route handlers under /api send their own headers (nosniff, no-store, CORP, CORS).
    return [{ source: '/((?!api/).*)', headers: securityHeaders }];
  },
};

export default nextConfig;
