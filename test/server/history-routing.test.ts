import { describe, expect, it, vi } from 'vitest';
import type { Conversation } from 'colloquy/core';
import { createMemoryConversationStore } from 'colloquy/server';
import { API, call, errorOf, historyHandlers, jsonOf } from './history-support.js';

type ConversationBody = { conversation: Conversation };

describe('routing, CORS and headers (memory store)', () => {
  it('routes by basePath: unknown paths 404, wrong methods 405 with Allow, ids percent-decoded', async () => {
    const handlers = historyHandlers(createMemoryConversationStore());
    await jsonOf(call(handlers, 'POST', '', { body: { id: 'c/1 é' } }), 201);
    expect(await jsonOf<ConversationBody>(call(handlers, 'GET', `/${encodeURIComponent('c/1 é')}`))).toMatchObject({ conversation: { id: 'c/1 é' } });
    expect((await call(handlers, 'GET', '/')).status).toBe(200);
    for (const path of ['/c1/other', '/c1/messages/a1', '/c1/messages/a1/stop/x', '//messages', '/%E0%A4%A']) {
      expect(await errorOf(call(handlers, 'GET', path), 404), path).toBe('not_found');
    }
    const outside = await handlers.handle(new Request('http://localhost/api/other', { headers: { 'X-User': 'alice' } }));
    expect(outside.status).toBe(404);
    const wrong = await call(handlers, 'PUT', '/c1');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, PATCH, DELETE');
    expect((await call(handlers, 'GET', '/c1/messages/a1/stop')).headers.get('allow')).toBe('POST');

    const mounted = historyHandlers(createMemoryConversationStore(), { basePath: '/v2/chats/' });
    const request = new Request('http://localhost/v2/chats', { method: 'POST', headers: { 'X-User': 'alice', 'Content-Type': 'application/json' }, body: '{}' });
    expect((await mounted.handle(request)).status).toBe(201);
    expect(() => historyHandlers(createMemoryConversationStore(), { basePath: 'api' })).toThrow(TypeError);
  });

  it('exports per-endpoint handlers and method-named ones for a Next.js catch-all route', async () => {
    const handlers = historyHandlers(createMemoryConversationStore());
    const { GET, POST, PATCH, DELETE, OPTIONS } = handlers;
    for (const handler of [GET, POST, PATCH, DELETE, OPTIONS]) expect(handler).toBe(handlers.handle);
    const json = { 'X-User': 'alice', 'Content-Type': 'application/json' };
    expect((await handlers.conversations.POST(new Request(API, { method: 'POST', headers: json, body: '{"id":"c1"}' }))).status).toBe(201);
    expect((await handlers.conversation.GET(new Request(`${API}/c1`, { headers: json }))).status).toBe(200);
    expect((await handlers.messages.GET(new Request(`${API}/c1/messages`, { headers: json }))).status).toBe(200);
    // A per-endpoint handler answers its own resource and method only.
    expect((await handlers.conversation.GET(new Request(`${API}/c1/messages`, { headers: json }))).status).toBe(404);
    expect((await handlers.conversations.GET(new Request(API, { method: 'POST', headers: json, body: '{}' }))).status).toBe(405);
    expect((await handlers.stop.POST(new Request(`${API}/c1/messages/a1/stop`, { method: 'POST', headers: json }))).status).toBe(204);
    expect((await handlers.conversation.DELETE(new Request(`${API}/c1`, { method: 'DELETE', headers: json }))).status).toBe(204);
  });

  it('answers CORS preflights for every history method, refuses cross-site writes CORS does not allow, sets security headers', async () => {
    const origin = 'https://app.example.com';
    const handlers = historyHandlers(createMemoryConversationStore(), { cors: { origins: [origin] } });
    const preflight = await handlers.OPTIONS(
      new Request(`${API}/c1`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'PATCH', 'Access-Control-Request-Headers': 'content-type' } }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST, PATCH, DELETE, OPTIONS');
    const evil = await handlers.OPTIONS(new Request(`${API}/c1`, { method: 'OPTIONS', headers: { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'DELETE' } }));
    expect(evil.status).toBe(403);

    // A cookie-carrying form post from another site needs no preflight: the browser's Sec-Fetch-Site gives it away.
    const crossSite = await call(handlers, 'POST', '/c1/messages/a1/stop', { headers: { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.test' } });
    expect(await errorOf(crossSite, 403)).toBe('forbidden');
    const allowed = await call(handlers, 'POST', '', { body: {}, headers: { 'Sec-Fetch-Site': 'cross-site', Origin: origin } });
    expect(allowed.status).toBe(201);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
    expect((await call(handlers, 'GET', '', { headers: { 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(200);

    const response = await call(handlers, 'GET', '');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-request-id')).toEqual(expect.any(String));
  });

  it('logs one event per request with its operation, never the owner or content', async () => {
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const handlers = historyHandlers(createMemoryConversationStore(), { logger });
    await call(handlers, 'POST', '', { body: { id: 'c1' } });
    await call(handlers, 'GET', '/c9');
    await call(handlers, 'GET', '', { user: null });
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(logger.info.mock.calls[0]![0]).toMatchObject({ route: 'history', operation: 'create', status: 201, model: 'gpt-4o-mini' });
    expect(logger.warn.mock.calls.map(([event]) => [event.operation, event.status, event.code])).toEqual([
      ['get', 404, 'not_found'],
      [undefined, 401, 'unauthorized'],
    ]);
    expect(JSON.stringify(logger.info.mock.calls)).not.toContain('alice');
  });

  it('requires authorize', () => {
    expect(() => historyHandlers(createMemoryConversationStore(), { authorize: undefined })).toThrow(/authorize/);
  });
});
