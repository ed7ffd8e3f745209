import { describe, expect, it } from 'vitest';
import { createChatHandlers, createMemoryRateLimitStore, type ChatHandlersOptions } from 'colloquy/server';
import { CHAT_URL, mockOpenAI, post, setupOpenAIServer, STREAM_URL, testClient, userTurn } from './support.js';

const server = setupOpenAIServer();

function handlers(options: Partial<ChatHandlersOptions> = {}) {
  return createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', ...options });
}

function expectSecurityHeaders(response: Response): void {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
}

function preflight(origin: string | null, method = 'POST', requestHeaders = 'content-type'): Request {
  const headers: Record<string, string> = { 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': requestHeaders };
  if (origin !== null) headers.Origin = origin;
  return new Request(CHAT_URL, { method: 'OPTIONS', headers });
}

describe('security headers on every response', () => {
  it('JSON answer, SSE answer, validation error, upstream error, rate limit and preflights', async () => {
    mockOpenAI(server);
    const { chat, stream, options } = handlers({ rateLimit: { maxRequests: 3, intervalMs: 60_000 }, cors: { origins: ['https://app.example'] } });
    const responses = [
      await chat(post(CHAT_URL, userTurn())),
      await stream(post(STREAM_URL, userTurn())),
      await chat(post(CHAT_URL, { messages: [] })),
      await chat(post(CHAT_URL, userTurn())),
      await options(preflight('https://app.example')),
      await options(preflight('https://evil.example')),
    ];
    mockOpenAI(server, { status: 500 });
    responses.push(await handlers().chat(post(CHAT_URL, userTurn())));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 400, 429, 204, 403, 502]);
    for (const response of responses) {
      expectSecurityHeaders(response);
      await response.body?.cancel();
    }
  });

  it('JSON answers and errors are never cached; every answer has a request id', async () => {
    mockOpenAI(server);
    const { chat } = handlers();
    for (const response of [await chat(post(CHAT_URL, userTurn())), await chat(post(CHAT_URL, {}))]) {
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('CORS: an allowlist, never a wildcard with credentials', () => {
  const cors = { origins: ['https://app.example', 'http://localhost:3000'], credentials: true, maxAgeSeconds: 300 };

  it('echoes an allowed origin with credentials and exposes Retry-After; varies on Origin', async () => {
    mockOpenAI(server);
    const response = await handlers({ cors }).chat(post(CHAT_URL, userTurn(), { headers: { Origin: 'http://localhost:3000' } }));
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-expose-headers')).toContain('Retry-After');
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('gives another origin no CORS headers (the browser hides the answer)', async () => {
    mockOpenAI(server);
    const response = await handlers({ cors }).chat(post(CHAT_URL, userTurn(), { headers: { Origin: 'https://evil.example' } }));
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('answers an allowed preflight 204 with the method, headers and max age', async () => {
    const response = await handlers({ cors }).options(preflight('https://app.example', 'POST', 'Content-Type, Authorization'));
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(response.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type, accept, authorization');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-max-age')).toBe('300');
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it.each([
    ['an unlisted origin', preflight('https://evil.example')],
    ['a lookalike origin', preflight('https://app.example.evil.example')],
    ['the null origin', preflight('null')],
    ['another method', preflight('https://app.example', 'DELETE')],
    ['an unlisted header', preflight('https://app.example', 'POST', 'content-type, x-admin')],
  ])('refuses a preflight from %s with 403', async (_, request) => {
    const response = await handlers({ cors }).options(request);
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
  });

  it('refuses every cross-origin preflight when cors is not configured', async () => {
    expect((await handlers().options(preflight('https://app.example'))).status).toBe(403);
    expect((await handlers().options(preflight(null))).status).toBe(204);
  });

  it('"*" answers * without credentials, and cannot be combined with credentials', async () => {
    const response = await handlers({ cors: { origins: ['*'] } }).options(preflight('https://any.example'));
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(() => handlers({ cors: { origins: ['*'], credentials: true } })).toThrow(TypeError);
  });

  it('refuses origins that are not origins at configuration time', () => {
    expect(() => handlers({ cors: { origins: ['https://app.example/'] } })).toThrow(/not an origin/);
    expect(() => handlers({ cors: { origins: ['app.example'] } })).toThrow(TypeError);
  });
});

describe('server rate limiting', () => {
  it('answers 429 with Retry-After and RateLimit-* headers, and makes no upstream call', async () => {
    const upstream = mockOpenAI(server);
    const { chat, stream } = handlers({ rateLimit: { maxRequests: 2, intervalMs: 60_000 } });
    const client = { 'X-Forwarded-For': '203.0.113.7, 10.0.0.1' };
    const first = await chat(post(CHAT_URL, userTurn(), { headers: client }));
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect((await stream(post(STREAM_URL, userTurn(), { headers: client }))).headers.get('ratelimit-remaining')).toBe('0');
    expect(upstream.count).toBe(2);

    const limited = await chat(post(CHAT_URL, userTurn(), { headers: client }));
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('ratelimit-limit')).toBe('2');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect((await stream(post(STREAM_URL, userTurn(), { headers: client }))).status).toBe(429);
    expect(upstream.count).toBe(2);

    // Another client (the first X-Forwarded-For address is the key) is not limited.
    expect((await chat(post(CHAT_URL, userTurn(), { headers: { 'X-Forwarded-For': '198.51.100.2' } }))).status).toBe(200);
  });

  it('refuses before reading the body: even an invalid body is counted and limited', async () => {
    const upstream = mockOpenAI(server);
    const { chat } = handlers({ rateLimit: { maxRequests: 1, intervalMs: 60_000 } });
    expect((await chat(post(CHAT_URL, '{'))).status).toBe(400);
    expect((await chat(post(CHAT_URL, '{'))).status).toBe(429);
    expect(upstream.count).toBe(0);
  });

  it('uses a custom key and store, and frees a slot when the window slides', async () => {
    mockOpenAI(server);
    let now = 1_000_000;
    const store = createMemoryRateLimitStore();
    const { chat } = handlers({
      rateLimit: { maxRequests: 1, intervalMs: 10_000, key: (request) => request.headers.get('x-user') ?? 'anonymous', store, now: () => now },
    });
    const asUser = (user: string) => post(CHAT_URL, userTurn(), { headers: { 'x-user': user } });
    expect((await chat(asUser('ada'))).status).toBe(200);
    const limited = await chat(asUser('ada'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('10');
    expect((await chat(asUser('grace'))).status).toBe(200);
    now += 10_001;
    expect((await chat(asUser('ada'))).status).toBe(200);
  });

  it('forgets the least recently seen keys beyond maxKeys', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 2 });
    const rule = { maxRequests: 1, intervalMs: 60_000 };
    expect((await store.hit('a', rule, 0)).allowed).toBe(true);
    expect((await store.hit('b', rule, 0)).allowed).toBe(true);
    expect((await store.hit('c', rule, 0)).allowed).toBe(true);
    expect((await store.hit('a', rule, 1)).allowed).toBe(true);
    expect((await store.hit('c', rule, 1)).allowed).toBe(false);
  });
});
