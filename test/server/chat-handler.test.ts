import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createJsonTransport, isChatError, type ChatEvent } from 'colloquy/core';
import { replyFor } from 'colloquy/mocks';
import { createChatHandlers } from 'colloquy/server';
import { CHAT_URL, fetchFrom, mockOpenAI, OPENAI_BASE, post, setupOpenAIServer, testClient, userTurn } from './support.js';

const server = setupOpenAIServer();

describe('chat handler (POST /api/chat, JSON)', () => {
  it('answers the protocol JSON with the model text, usage and finish reason', async () => {
    const upstream = mockOpenAI(server, { reply: 'Server-sent events are a format.' });
    const { chat } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini' });
    const response = await chat(post(CHAT_URL, userTurn('What is SSE?')));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      message: { id: expect.any(String), role: 'assistant', parts: [{ type: 'text', text: 'Server-sent events are a format.' }] },
      usage: { promptTokens: 3, completionTokens: 5, totalTokens: 8 },
      finishReason: 'stop',
    });
    expect(upstream.count).toBe(1);
  });

  it('speaks the protocol the kit client reads (createJsonTransport through the handler)', async () => {
    mockOpenAI(server);
    const { chat } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini' });
    const transport = createJsonTransport({ url: CHAT_URL, fetch: fetchFrom(chat) });
    const events: ChatEvent[] = [];
    const message = { id: 'u1', parentId: null, role: 'user' as const, parts: [{ type: 'text', text: 'Hi there', state: 'done' as const }], createdAt: '2025-01-01T00:00:00Z', status: 'pending' as const };
    for await (const event of transport.send({ messages: [message] }, { signal: new AbortController().signal })) events.push(event);
    expect(events[0]).toEqual({ type: 'delta', content: replyFor('Hi there') });
    expect(events[1]).toMatchObject({ type: 'usage' });
    expect(events[2]).toMatchObject({ type: 'done', finishReason: 'stop', message: { id: expect.any(String) } });
  });

  it('sends the server-owned model, system prompt and max_completion_tokens cap, never stream options', async () => {
    const upstream = mockOpenAI(server);
    const { chat } = createChatHandlers({ openai: testClient(), model: 'gpt-4.1-mini', system: 'Be brief.', maxCompletionTokens: 300 });
    await chat(post(CHAT_URL, {
      messages: [
        { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'One' }] },
        { id: 'a1', role: 'assistant', parts: [{ type: 'text', text: 'Two' }] },
        { id: 'u2', role: 'user', parts: [{ type: 'text', text: 'Three' }] },
      ],
    }));
    expect(upstream.lastBody()).toEqual({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'One' },
        { role: 'assistant', content: 'Two' },
        { role: 'user', content: 'Three' },
      ],
      max_completion_tokens: 300,
    });
  });

  it('caps the answer at 1024 tokens by default', async () => {
    const upstream = mockOpenAI(server);
    const { chat } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini' });
    await chat(post(CHAT_URL, userTurn()));
    expect(upstream.lastBody().max_completion_tokens).toBe(1024);
  });
});

describe('chat handler: upstream errors map to safe protocol errors', () => {
  const cases = [
    { name: '400', status: 400, expected: 400, code: 'invalid_input' },
    { name: '400 context_length_exceeded', status: 400, error: { code: 'context_length_exceeded' }, expected: 413, code: 'message_too_long' },
    { name: '401 (the server key is wrong)', status: 401, expected: 502, code: 'upstream_unavailable' },
    { name: '403', status: 403, expected: 502, code: 'upstream_unavailable' },
    { name: '404 (unknown model)', status: 404, expected: 502, code: 'upstream_unavailable' },
    { name: '422', status: 422, expected: 400, code: 'invalid_input' },
    { name: '429', status: 429, expected: 429, code: 'rate_limited' },
    { name: '429 insufficient_quota', status: 429, error: { code: 'insufficient_quota', type: 'insufficient_quota' }, expected: 503, code: 'upstream_unavailable' },
    { name: '500', status: 500, expected: 502, code: 'upstream_unavailable' },
    { name: '502', status: 502, expected: 502, code: 'upstream_unavailable' },
    { name: '503', status: 503, expected: 503, code: 'upstream_unavailable' },
  ] as const;

  it.each(cases)('upstream $name → $expected $code, with a safe message', async ({ status, expected, code, ...rest }) => {
    const secretDetail = 'internal detail: shard 7 stack at Object.<anonymous>';
    mockOpenAI(server, { status, error: { message: secretDetail, ...('error' in rest ? rest.error : {}) } });
    const { chat } = createChatHandlers({ openai: testClient(0), model: 'gpt-4o-mini' });
    const response = await chat(post(CHAT_URL, userTurn()));
    expect(response.status).toBe(expected);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code, message: expect.any(String) } });
    expect(text).not.toContain('shard 7');
    expect(text).not.toMatch(/stack|at Object|Error:/);
  });

  it('passes Retry-After through for a 429, in seconds, from retry-after or retry-after-ms', async () => {
    const { chat } = createChatHandlers({ openai: testClient(0), model: 'gpt-4o-mini' });
    mockOpenAI(server, { status: 429, headers: { 'retry-after': '7' } });
    expect((await chat(post(CHAT_URL, userTurn()))).headers.get('retry-after')).toBe('7');
    mockOpenAI(server, { status: 429, headers: { 'retry-after-ms': '2500', 'retry-after': '9' } });
    expect((await chat(post(CHAT_URL, userTurn()))).headers.get('retry-after')).toBe('3');
  });

  it('maps a connection failure to 502 upstream_unavailable', async () => {
    server.use(http.post(`${OPENAI_BASE}/chat/completions`, () => HttpResponse.error()));
    const { chat } = createChatHandlers({ openai: testClient(0), model: 'gpt-4o-mini' });
    const response = await chat(post(CHAT_URL, userTurn()));
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: { code: 'upstream_unavailable', message: expect.any(String) } });
  });

  it('a client reading the error gets the mapped ChatError with retryAfterMs', async () => {
    mockOpenAI(server, { status: 429, headers: { 'retry-after': '5' } });
    const { chat } = createChatHandlers({ openai: testClient(0), model: 'gpt-4o-mini' });
    const transport = createJsonTransport({ url: CHAT_URL, fetch: fetchFrom(chat) });
    const message = { id: 'u1', parentId: null, role: 'user' as const, parts: [{ type: 'text', text: 'Hi', state: 'done' as const }], createdAt: '2025-01-01T00:00:00Z', status: 'pending' as const };
    const error = await (async () => {
      try {
        for await (const _ of transport.send({ messages: [message] }, { signal: new AbortController().signal })) void _;
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(isChatError(error) && error.code).toBe('rate_limited');
    expect(isChatError(error) && error.retryAfterMs).toBe(5000);
  });
});

describe('chat handler: retries and time bounds', () => {
  it('lets the SDK retry a 500 before answering, and answers once', async () => {
    const upstream = mockOpenAI(server, { status: 500, failTimes: 1, headers: { 'retry-after-ms': '0' }, reply: 'Recovered.' });
    const { chat } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', maxRetries: 2 });
    const response = await chat(post(CHAT_URL, userTurn()));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { message: { parts: Array<{ text: string }> } }).message.parts[0]!.text).toBe('Recovered.');
    expect(upstream.count).toBe(2);
  });

  it('does not retry when OpenAI says x-should-retry: false', async () => {
    const upstream = mockOpenAI(server, { status: 500, headers: { 'x-should-retry': 'false', 'retry-after-ms': '0' } });
    const { chat } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', maxRetries: 2 });
    expect((await chat(post(CHAT_URL, userTurn()))).status).toBe(502);
    expect(upstream.count).toBe(1);
  });

  it('timeoutMs bounds the whole request, the SDK back-off sleep included (504 timeout)', async () => {
    // OpenAI asks for a 10 s wait before the retry; the SDK would sleep through it, the deadline does not.
    const upstream = mockOpenAI(server, { status: 500, headers: { 'retry-after': '10' } });
    const { chat } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', maxRetries: 2, timeoutMs: 300 });
    const started = performance.now();
    const response = await chat(post(CHAT_URL, userTurn()));
    const elapsed = performance.now() - started;
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ error: { code: 'timeout', message: expect.any(String) } });
    expect(elapsed).toBeLessThan(1500);
    expect(upstream.count).toBe(1);
  });

  it('timeoutMs bounds a slow upstream (504 timeout)', async () => {
    mockOpenAI(server, { firstByteDelayMs: 5_000 });
    const { chat } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', timeoutMs: 200 });
    const started = performance.now();
    const response = await chat(post(CHAT_URL, userTurn()));
    expect(response.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
