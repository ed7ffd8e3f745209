import { ChatError } from '../core/index.js';
import { errorResponse, SECURITY_HEADERS } from './http-response.js';

/** Cross-origin access to the chat endpoints, for a page served from another origin. */
export interface CorsOptions {
  /**
   * Origins allowed to call the endpoints, exactly as browsers send them (`https://app.example.com`, no path, no
   * trailing slash). `'*'` allows every origin, and only without `credentials`.
   */
  origins: readonly string[];
  /** Whether cookies and HTTP auth may be sent (`Access-Control-Allow-Credentials: true`). @defaultValue false */
  credentials?: boolean;
  /** How long a browser may cache a preflight answer. @defaultValue 600 */
  maxAgeSeconds?: number;
  /** Request headers a page may send. @defaultValue ['Content-Type', 'Accept', 'Authorization'] */
  allowedHeaders?: readonly string[];
}

/** CORS for one set of handlers. */
export interface Cors {
  /** Adds `Vary: Origin` and, for an allowed origin, the CORS headers of an actual (non-preflight) response. */
  apply(request: Request, headers: Headers): void;
  /** Answers a preflight: 204 for an allowed origin, method and headers; 403 for anything else. */
  preflight(request: Request): Response;
  /** True when the request's `Origin` is one of the allowed origins (never for a request without one). */
  allowsOrigin(request: Request): boolean;
}

/** Headers a cross-origin page may read: the wait before a retry, the limit's state, and the id for support. */
const EXPOSED_HEADERS = 'Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id';

function checkOrigins(options: CorsOptions): void {
  for (const origin of options.origins) {
    if (origin === '*') {
      if (options.credentials === true) throw new TypeError('cors: "*" cannot be combined with credentials; list the origins.');
      continue;
    }
    let normalised: string | undefined;
    try {
      normalised = new URL(origin).origin;
    } catch {
      normalised = undefined;
    }
    if (normalised !== origin) {
      throw new TypeError(`cors: ${JSON.stringify(origin)} is not an origin; write it as ${normalised ?? 'https://host[:port]'}.`);
    }
  }
}

/**
 * Creates the CORS policy of a handler set. Without options, no origin is allowed cross-origin (same-origin pages
 * need no CORS) and every preflight is 403. Allowed origins are echoed, never `*` with credentials; every response
 * varies on `Origin`. An actual request from another origin still gets an answer without CORS headers (the browser
 * hides it); the JSON-only body means such a request always needs the preflight first, which is refused.
 *
 * `methods` are the methods the endpoints answer besides `OPTIONS` (the chat endpoints: `POST`).
 *
 * @example
 * createCors({ origins: ['https://app.example.com'], credentials: true });
 */
export function createCors(options?: CorsOptions, methods: readonly string[] = ['POST']): Cors {
  if (options !== undefined) checkOrigins(options);
  const allowMethods = [...methods, 'OPTIONS'].join(', ');
  const origins = new Set(options?.origins ?? []);
  const any = origins.has('*');
  const credentials = options?.credentials === true;
  const allowedHeaders = (options?.allowedHeaders ?? ['Content-Type', 'Accept', 'Authorization']).map((name) => name.toLowerCase());

  const allowedOrigin = (request: Request): string | undefined => {
    const origin = request.headers.get('origin');
    if (origin === null || origin === 'null') return undefined;
    if (origins.has(origin)) return origin;
    return any ? '*' : undefined;
  };

  const setOrigin = (headers: Headers, origin: string): void => {
    headers.set('Access-Control-Allow-Origin', origin);
    if (credentials) headers.set('Access-Control-Allow-Credentials', 'true');
  };

  return {
    apply(request, headers) {
      headers.append('Vary', 'Origin');
      const origin = allowedOrigin(request);
      if (origin === undefined) return;
      setOrigin(headers, origin);
      headers.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    },
    preflight(request) {
      const headers = new Headers(SECURITY_HEADERS);
      headers.append('Vary', 'Origin');
      if (request.headers.get('origin') === null) {
        headers.set('Allow', allowMethods);
        return new Response(null, { status: 204, headers });
      }
      const origin = allowedOrigin(request);
      const method = request.headers.get('access-control-request-method');
      const requested = (request.headers.get('access-control-request-headers') ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name.length > 0);
      if (origin === undefined || (method !== null && !methods.includes(method)) || !requested.every((name) => allowedHeaders.includes(name))) {
        return errorResponse(new ChatError('forbidden', 'This origin, method or header is not allowed.', { status: 403 }), headers);
      }
      setOrigin(headers, origin);
      headers.set('Access-Control-Allow-Methods', allowMethods);
      headers.set('Access-Control-Allow-Headers', allowedHeaders.join(', '));
      headers.set('Access-Control-Max-Age', String(options?.maxAgeSeconds ?? 600));
      return new Response(null, { status: 204, headers });
    },
    allowsOrigin: (request) => allowedOrigin(request) !== undefined,
  };
}
