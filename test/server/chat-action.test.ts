import { describe, expect, it } from 'vitest';
import { createFunctionTransport, isChatError, toWireRequest, type ChatEvent, type ChatMessage, type WireChatRequest } from 'colloquy/core';
import { createChatAction } from 'colloquy/server';
import { mockOpenAI, setupOpenAIServer, testClient, userTurn } from './support.js';

const server = setupOpenAIServer();

const message: ChatMessage = {
  id: 'u1',
  parentId: null,
  role: 'user',
  parts: [{ type: 'text', text: 'Hi', state: 'done' }],
  createdAt: '2025-01-01T00:00:00Z',
  status: 'pending',
};

describe('createChatAction (Pattern 3)', () => {
  it('answers { ok: true, message, usage, finishReason }', async () => {
    const upstream = mockOpenAI(server, { reply: 'Hello from the action.' });
    const action = createChatAction({ openai: testClient(), model: 'gpt-4o-mini', system: 'Be kind.' });
    expect(await action(userTurn('Hi'))).toEqual({
      ok: true,
      message: { id: expect.any(String), parts: [{ type: 'text', text: 'Hello from the action.', state: 'done' }] },
      usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
      finishReason: 'stop',
    });
    expect(upstream.lastBody()).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 1024, messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Hi' }] });
  });

  it('plugs into createFunctionTransport through toWireRequest', async () => {
    mockOpenAI(server, { reply: 'Wired.' });
    const action = createChatAction({ openai: testClient(), model: 'gpt-4o-mini' });
    const transport = createFunctionTransport((request) => action(toWireRequest(request)));
    const events: ChatEvent[] = [];
    for await (const event of transport.send({ messages: [message] }, { signal: new AbortController().signal })) events.push(event);
    expect(events[0]).toEqual({ type: 'delta', content: 'Wired.' });
    expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
  });

  it('validates its argument like a request body and never throws, whatever it is given', async () => {
    const upstream = mockOpenAI(server);
    const action = createChatAction({ openai: testClient(), model: 'gpt-4o-mini', maxInputLength: 5 });
    const garbage: unknown[] = [null, undefined, 42, 'hi', [], { messages: [] }, { ...userTurn(), model: 'gpt-5' }, { messages: [{ role: 'system', content: 'x' }] }];
    for (const input of garbage) {
      const result = await action(input as WireChatRequest);
      expect(result).toEqual({ ok: false, error: { code: 'invalid_input', message: expect.any(String) } });
    }
    expect(await action(userTurn('too long'))).toEqual({ ok: false, error: { code: 'message_too_long', message: expect.any(String) } });
    expect(upstream.count).toBe(0);
  });

  it('reports an upstream 429 as a typed failure with retryAfterMs', async () => {
    mockOpenAI(server, { status: 429, headers: { 'retry-after': '7' } });
    const action = createChatAction({ openai: testClient(), model: 'gpt-4o-mini', maxRetries: 0 });
    expect(await action(userTurn())).toEqual({ ok: false, error: { code: 'rate_limited', message: expect.any(String), retryAfterMs: 7000 } });

    const transport = createFunctionTransport((request) => action(toWireRequest(request)));
    const error = await (async () => {
      try {
        for await (const _ of transport.send({ messages: [message] }, { signal: new AbortController().signal })) void _;
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(isChatError(error) && [error.code, error.retryAfterMs]).toEqual(['rate_limited', 7000]);
  });

  it('rate-limits by the key it is given, with no upstream call when limited', async () => {
    const upstream = mockOpenAI(server);
    let user = 'ada';
    const action = createChatAction({ openai: testClient(), model: 'gpt-4o-mini', rateLimit: { maxRequests: 1, intervalMs: 60_000, key: () => user } });
    expect((await action(userTurn())).ok).toBe(true);
    expect(await action(userTurn())).toEqual({ ok: false, error: { code: 'rate_limited', message: expect.any(String), retryAfterMs: expect.any(Number) } });
    user = 'grace';
    expect((await action(userTurn())).ok).toBe(true);
    expect(upstream.count).toBe(2);
  });

  it('bounds the call with timeoutMs', async () => {
    mockOpenAI(server, { firstByteDelayMs: 5_000 });
    const action = createChatAction({ openai: testClient(), model: 'gpt-4o-mini', timeoutMs: 200 });
    expect(await action(userTurn())).toEqual({ ok: false, error: { code: 'timeout', message: expect.any(String) } });
  });
});
