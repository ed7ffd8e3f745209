import { describe, expect, it, vi } from 'vitest';
import {
  ChatError,
  createFunctionTransport,
  isChatError,
  type ChatFunction,
  type FunctionTransportResult,
} from 'colloquy/core';
import { collect, userRequest } from '../helpers/transport-harness.js';

function expectChatError(error: unknown, code: ChatError['code']): ChatError {
  expect(isChatError(error)).toBe(true);
  expect((error as ChatError).code).toBe(code);
  return error as ChatError;
}

const returning = (result: FunctionTransportResult) => createFunctionTransport(async () => result);
const textDone = (text: string, extra: object = {}) => ({ type: 'done', message: { parts: [{ type: 'text', text, state: 'done' }] }, ...extra });

describe('createFunctionTransport: results', () => {
  it('passes the request and the signal to the function', async () => {
    const fn = vi.fn<ChatFunction>(() => 'ok');
    const request = userRequest('Hi', { conversationId: 'c1' });
    const controller = new AbortController();
    await collect(createFunctionTransport(fn), request, controller.signal);
    expect(fn).toHaveBeenCalledWith(request, { signal: controller.signal });
  });

  it('answers a string (returned synchronously too)', async () => {
    const sync = createFunctionTransport(() => 'Hello');
    expect(await collect(sync)).toEqual({ events: [{ type: 'delta', content: 'Hello' }, textDone('Hello')], error: undefined });
  });

  it('answers { message, usage, finishReason }', async () => {
    const result = await collect(returning({ message: 'Hi', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 }, finishReason: 'length' }));
    expect(result.events).toEqual([
      { type: 'delta', content: 'Hi' },
      { type: 'usage', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } },
      textDone('Hi', { finishReason: 'length' }),
    ]);
  });

  it('answers a server action { ok: true } result with parts', async () => {
    const result = await collect(returning({ ok: true, message: { id: 'srv-1', parts: [{ type: 'text', text: 'Done.', state: 'done' }] } }));
    expect(result.events).toEqual([
      { type: 'delta', content: 'Done.' },
      { type: 'done', message: { id: 'srv-1', parts: [{ type: 'text', text: 'Done.', state: 'done' }] } },
    ]);
  });

  it('throws the ChatError of a typed { ok: false } failure', async () => {
    const { events, error } = await collect(returning({ ok: false, error: { code: 'rate_limited', message: 'Wait a bit.', retryAfterMs: 2000 } }));
    expect(events).toEqual([]);
    expect(expectChatError(error, 'rate_limited')).toMatchObject({ message: 'Wait a bit.', retryAfterMs: 2000, retryable: true });
  });

  it('maps an unknown failure code to server_error, keeping the message', async () => {
    const { error } = await collect(returning({ ok: false, error: { code: 'db_down', message: 'Try again later.' } }));
    expect(expectChatError(error, 'server_error').message).toBe('Try again later.');
  });

  it('streams an async iterable of strings as deltas, then done', async () => {
    const stream = createFunctionTransport(async function* () {
      yield 'Hel';
      yield '';
      yield 'lo';
    });
    expect(await collect(stream)).toEqual({
      events: [{ type: 'delta', content: 'Hel' }, { type: 'delta', content: 'lo' }, { type: 'done' }],
      error: undefined,
    });
  });

  it('throws bad_response for a value the protocol does not know, after earlier deltas', async () => {
    const stream = createFunctionTransport(async function* () {
      yield 'ok';
      yield 42 as unknown as string;
    });
    const { events, error } = await collect(stream);
    expect(events).toEqual([{ type: 'delta', content: 'ok' }]);
    expectChatError(error, 'bad_response');
    for (const bad of [42, null, {}, { message: 7 }, [1, 2]]) {
      expectChatError((await collect(returning(bad as unknown as FunctionTransportResult))).error, 'bad_response');
    }
  });
});

describe('createFunctionTransport: thrown errors', () => {
  it('passes a thrown ChatError through', async () => {
    const thrown = new ChatError('forbidden', 'Not your conversation.');
    const { error } = await collect(createFunctionTransport(() => Promise.reject(thrown)));
    expect(error).toBe(thrown);
  });

  it('maps a TypeError (a failed server action fetch) to network', async () => {
    const { error } = await collect(
      createFunctionTransport(() => {
        throw new TypeError('Failed to fetch');
      }),
    );
    expect(expectChatError(error, 'network').cause).toBeInstanceOf(TypeError);
  });

  it('maps any other error to server_error without echoing its message', async () => {
    const leak = new Error('password authentication failed for user "admin" at 10.0.0.5');
    const { error } = await collect(createFunctionTransport(async () => Promise.reject(leak)));
    const chatError = expectChatError(error, 'server_error');
    expect(chatError.message).toBe('The server had a problem answering.');
    expect(chatError.cause).toBe(leak);
    expect(JSON.stringify(chatError)).not.toContain('password');
  });

  it('maps a thrown non-Error and an error thrown mid-stream', async () => {
    expectChatError((await collect(createFunctionTransport(() => Promise.reject('boom')))).error, 'server_error');
    const stream = createFunctionTransport(async function* () {
      yield 'partial';
      throw new Error('secret');
    });
    const { events, error } = await collect(stream);
    expect(events).toEqual([{ type: 'delta', content: 'partial' }]);
    expect(expectChatError(error, 'server_error').message).not.toContain('secret');
  });
});

describe('createFunctionTransport: stopping', () => {
  it('throws aborted at once when stopped while the function is still working', async () => {
    const controller = new AbortController();
    // A server action cannot be cancelled: this one never settles.
    const stuck = createFunctionTransport(() => new Promise<string>(() => undefined));
    const turn = collect(stuck, userRequest(), controller.signal);
    controller.abort(new Error('user pressed stop'));
    const { events, error } = await turn;
    expect(events).toEqual([]);
    expect(expectChatError(error, 'aborted').message).toBe('The request was cancelled.');
  });

  it('does not call the function when the signal is already aborted', async () => {
    const fn = vi.fn<ChatFunction>(() => 'never');
    expectChatError((await collect(createFunctionTransport(fn), userRequest(), AbortSignal.abort())).error, 'aborted');
    expect(fn).not.toHaveBeenCalled();
  });

  it('yields nothing after an abort, and tells the generator to stop', async () => {
    const controller = new AbortController();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let closed = false;
    const stream = createFunctionTransport(async function* () {
      try {
        yield 'one';
        await gate;
        yield 'two';
      } finally {
        closed = true;
      }
    });
    const seen: unknown[] = [];
    let error: unknown;
    try {
      for await (const event of stream.send(userRequest(), { signal: controller.signal })) {
        seen.push(event);
        controller.abort();
        release();
      }
    } catch (caught) {
      error = caught;
    }
    expect(seen).toEqual([{ type: 'delta', content: 'one' }]);
    expectChatError(error, 'aborted');
    await vi.waitFor(() => expect(closed).toBe(true));
  });

  it('throws aborted while waiting on a generator that never yields again', async () => {
    const controller = new AbortController();
    const stuck = createFunctionTransport(async function* () {
      yield 'one';
      await new Promise(() => undefined);
    });
    const iterator = stuck.send(userRequest(), { signal: controller.signal })[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: { type: 'delta', content: 'one' } });
    const next = iterator.next();
    controller.abort();
    await expect(next).rejects.toMatchObject({ name: 'ChatError', code: 'aborted' });
  });
});
