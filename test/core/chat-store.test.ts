import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatError, createChatStore, createRateLimiter, messageText, type ChatStoreOptions } from 'colloquy/core';
import { createManualTransport, flush } from '../helpers/manual-transport.js';

function setup(options: Partial<ChatStoreOptions> = {}) {
  const transport = createManualTransport();
  let n = 0;
  const store = createChatStore({
    transport,
    generateId: () => `id${++n}`,
    now: () => new Date('2026-01-01T00:00:00Z'),
    ...options,
  });
  return { store, transport, call: (i = 0) => transport.calls[i]! };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createChatStore: input checks before any request', () => {
  it.each([[''], ['   \n\t ']])('refuses empty input %j with invalid_input', (text) => {
    const { store, transport } = setup();
    const result = store.send(text);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(transport.calls).toHaveLength(0);
    expect(store.getState().messages).toEqual([]);
  });

  it('refuses input over maxInputLength with message_too_long, sending nothing', () => {
    const { store, transport } = setup({ maxInputLength: 5 });
    expect(store.send('123456')).toMatchObject({ ok: false, error: { code: 'message_too_long' } });
    expect(store.send('12345').ok).toBe(true);
    expect(transport.calls).toHaveLength(1);
  });

  it('counts characters as code points, like the server (an emoji is one)', () => {
    const { store } = setup({ maxInputLength: 2 });
    expect(store.send('😀😀').ok).toBe(true);
    expect(setup({ maxInputLength: 2 }).store.send('😀😀😀')).toMatchObject({ ok: false, error: { code: 'message_too_long' } });
  });

  it('defaults maxInputLength to 4000', () => {
    const { store } = setup();
    expect(store.send('x'.repeat(4001))).toMatchObject({ ok: false, error: { code: 'message_too_long' } });
  });
});

describe('createChatStore: a turn', () => {
  it('streams an answer into state and resolves done with it', async () => {
    const onFinish = vi.fn();
    const { store, call } = setup({ onFinish });
    const result = store.send('Hello');
    if (!result.ok) throw result.error;
    expect(store.getState().status).toBe('submitting');
    expect(call().request.messages.map((m) => [m.role, messageText(m)])).toEqual([['user', 'Hello']]);
    call().push({ type: 'delta', content: 'Hi ' }, { type: 'delta', content: 'there' });
    await flush();
    expect(store.getState().status).toBe('streaming');
    call().push({ type: 'usage', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } }, { type: 'done', finishReason: 'stop' });
    const answer = await result.done;
    expect(answer).toMatchObject({ role: 'assistant', status: 'complete', finishReason: 'stop', usage: { totalTokens: 3 } });
    expect(messageText(answer!)).toBe('Hi there');
    expect(store.getState().status).toBe('idle');
    expect(onFinish).toHaveBeenCalledWith(answer);
  });

  it("resolves done with the answer under the server's id when the transport names one", async () => {
    const { store, call } = setup();
    const result = store.send('Q');
    call().push({ type: 'start', messageId: 'server-answer' }, { type: 'delta', content: 'A' }, { type: 'done' });
    if (!result.ok) throw result.error;
    expect((await result.done)?.id).toBe('server-answer');
    expect(store.getState().messages.map((m) => m.id)).toEqual(['id1', 'server-answer']);
  });

  it('sends the system prompt first, conversationId and body extras', () => {
    const { store, call } = setup({ system: 'Be brief.', conversationId: 'c1', body: { a: 1 } });
    store.send('Q', { body: { b: 2 } });
    const request = call().request;
    expect(request.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(request.conversationId).toBe('c1');
    expect(request.body).toEqual({ a: 1, b: 2 });
    expect(store.getState().messages.map((m) => m.role)).toEqual(['user']);
  });

  it('refuses a second send while busy instead of interleaving', () => {
    const { store, transport } = setup();
    store.send('one');
    expect(store.send('two')).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(transport.calls).toHaveLength(1);
    expect(store.getState().messages).toHaveLength(1);
  });

  it('stop aborts the request, keeps the partial answer as cancelled, and ignores later tokens', async () => {
    const { store, call } = setup();
    const result = store.send('Tell me');
    call().push({ type: 'delta', content: 'Once upon' });
    await flush();
    store.stop();
    expect(call().signal.aborted).toBe(true);
    call().push({ type: 'delta', content: ' a time' });
    await flush();
    const state = store.getState();
    expect(state.status).toBe('idle');
    expect(state.messages[1]).toMatchObject({ status: 'cancelled' });
    expect(messageText(state.messages[1]!)).toBe('Once upon');
    if (result.ok) expect((await result.done)?.status).toBe('cancelled');
  });

  it('a failed turn keeps the user message (status error) and the error; onError fires once', async () => {
    const onError = vi.fn();
    const { store, call } = setup({ onError });
    const result = store.send('Will fail');
    call().fail(new ChatError('server_error', 'Upstream broke', { status: 500 }));
    if (result.ok) await result.done;
    const state = store.getState();
    expect(state.status).toBe('error');
    if (state.status === 'error') expect(state.error.code).toBe('server_error');
    expect(state.messages).toHaveLength(1);
    expect(state.messages[0]).toMatchObject({ role: 'user', status: 'error' });
    expect(messageText(state.messages[0]!)).toBe('Will fail');
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('maps a non-ChatError thrown by a transport to a ChatError', async () => {
    const { store, call } = setup();
    const result = store.send('x');
    call().fail(new TypeError('fetch failed'));
    if (result.ok) await result.done;
    const state = store.getState();
    expect(state.status === 'error' && state.error.code).toBe('network');
  });

  it('a stream that ends without done is a bad_response that keeps the partial text', async () => {
    const { store, call } = setup();
    const result = store.send('x');
    call().push({ type: 'delta', content: 'partial' });
    call().end();
    if (result.ok) await result.done;
    const state = store.getState();
    expect(state.status === 'error' && state.error.code).toBe('bad_response');
    expect(messageText(state.messages[1]!)).toBe('partial');
    expect(state.messages[1]?.status).toBe('error');
  });

  it('retry re-sends the failed turn with the same user message id', async () => {
    const { store, call, transport } = setup();
    const first = store.send('Again?');
    call(0).fail(new ChatError('network', 'offline'));
    if (first.ok) await first.done;
    const userId = store.getState().messages[0]!.id;
    const second = store.retry();
    expect(second.ok).toBe(true);
    expect(transport.calls).toHaveLength(2);
    expect(call(1).request.messages.map((m) => m.id)).toEqual([userId]);
    expect(store.getState().messages).toEqual([expect.objectContaining({ id: userId, status: 'pending' })]);
    call(1).push({ type: 'delta', content: 'Yes' }, { type: 'done' });
    if (second.ok) await second.done;
    expect(store.getState().messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
  });

  it('retry after a cancelled answer replaces the partial answer', async () => {
    const { store, call } = setup();
    store.send('Q');
    call(0).push({ type: 'delta', content: 'half' });
    await flush();
    store.stop();
    expect(store.retry().ok).toBe(true);
    expect(call(1).request.messages.map((m) => m.role)).toEqual(['user']);
    expect(store.getState().messages).toHaveLength(1);
  });

  it('retry with nothing failed is refused', async () => {
    const { store, call } = setup();
    expect(store.retry()).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const result = store.send('Q');
    call().push({ type: 'delta', content: 'A' }, { type: 'done' });
    if (result.ok) await result.done;
    expect(store.retry().ok).toBe(false);
  });

  it('regenerate replaces a complete answer', async () => {
    const { store, call } = setup();
    const result = store.send('Q');
    call(0).push({ type: 'delta', content: 'first' }, { type: 'done' });
    if (result.ok) await result.done;
    const again = store.regenerate();
    expect(again.ok).toBe(true);
    call(1).push({ type: 'delta', content: 'second' }, { type: 'done' });
    if (again.ok) await again.done;
    expect(store.getState().messages.map(messageText)).toEqual(['Q', 'second']);
  });

  it('timeoutMs aborts a slow turn with a timeout error', async () => {
    vi.useFakeTimers();
    const { store, call } = setup({ timeoutMs: 1_000 });
    const result = store.send('slow');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(call().signal.aborted).toBe(true);
    if (result.ok) await result.done;
    const state = store.getState();
    expect(state.status === 'error' && state.error.code).toBe('timeout');
  });

  it('dispose aborts the request in flight and refuses later sends', async () => {
    const { store, call } = setup();
    store.send('Q');
    store.dispose();
    expect(call().signal.aborted).toBe(true);
    expect(store.send('again')).toMatchObject({ ok: false, error: { code: 'aborted' } });
  });

  it('reset and setMessages abort the turn and replace the messages', async () => {
    const { store, call, transport } = setup();
    store.send('Q');
    store.setMessages([]);
    expect(call(0).signal.aborted).toBe(true);
    expect(store.getState()).toEqual({ status: 'idle', messages: [] });
    store.send('Q2');
    store.reset();
    expect(transport.calls[1]!.signal.aborted).toBe(true);
    expect(store.getState()).toBe(store.getInitialState());
  });
});

describe('createChatStore: rate limiting', () => {
  it('refuses sends past the client limit with retryAfterMs, then allows them on time', async () => {
    vi.useFakeTimers({ now: 0 });
    const { store, call, transport } = setup({ rateLimit: { maxRequests: 1, intervalMs: 10_000 } });
    const first = store.send('one');
    call().push({ type: 'done' });
    if (first.ok) await first.done;
    expect(store.send('two')).toMatchObject({ ok: false, error: { code: 'rate_limited', retryAfterMs: 10_000 } });
    expect(transport.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.send('two').ok).toBe(true);
  });

  it('a server 429 with Retry-After blocks sending until then', async () => {
    vi.useFakeTimers({ now: 0 });
    const { store, call } = setup();
    const result = store.send('one');
    call().fail(new ChatError('rate_limited', 'slow down', { status: 429, retryAfterMs: 20_000 }));
    if (result.ok) await result.done;
    expect(store.rateLimiter.getState().availableAt).toBe(20_000);
    expect(store.retry()).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    await vi.advanceTimersByTimeAsync(19_999);
    expect(store.retry().ok).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.retry().ok).toBe(true);
  });

  it('shares one limiter between stores', () => {
    const limiter = createRateLimiter({ maxRequests: 1, intervalMs: 60_000 });
    const a = setup({ rateLimit: limiter });
    const b = setup({ rateLimit: limiter });
    expect(a.store.send('x').ok).toBe(true);
    expect(b.store.send('y')).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
  });
});

describe('createChatStore: the store contract', () => {
  it('notifies subscribers on change and returns the same state object between changes', async () => {
    const { store, call } = setup();
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    const before = store.getState();
    expect(store.getState()).toBe(before);
    store.send('Q');
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    call().push({ type: 'delta', content: 'x' });
    await flush();
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('binds subscribe and getState so they can be passed around', () => {
    const { store } = setup();
    const { subscribe, getState } = store;
    expect(() => subscribe(() => {})()).not.toThrow();
    expect(getState().status).toBe('idle');
  });
});
