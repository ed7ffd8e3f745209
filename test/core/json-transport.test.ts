import { delay, http, HttpResponse, type JsonBodyType } from 'msw';
import { describe, expect, it } from 'vitest';
import { createJsonTransport, isChatError, type ChatError } from 'colloquy/core';
import { CHAT_URL, collect, setupMswServer, userRequest } from '../helpers/transport-harness.js';

const server = setupMswServer();
const transport = createJsonTransport({ url: CHAT_URL });

function answerJson(body: JsonBodyType, init?: ResponseInit): void {
  server.use(http.post(CHAT_URL, () => HttpResponse.json(body, init)));
}

function expectChatError(error: unknown, code: ChatError['code']): ChatError {
  expect(isChatError(error)).toBe(true);
  expect((error as ChatError).code).toBe(code);
  return error as ChatError;
}

const done = (text: string, extra: object = {}) => ({ type: 'done', message: { parts: [{ type: 'text', text, state: 'done' }] }, ...extra });

describe('createJsonTransport', () => {
  it('POSTs the wire body with Accept: application/json and yields delta then done', async () => {
    let seen: Request | undefined;
    let body: unknown;
    server.use(
      http.post(CHAT_URL, async ({ request }) => {
        seen = request;
        body = await request.json();
        return HttpResponse.json({ message: 'Hi there', finishReason: 'stop' });
      }),
    );
    const withHeaders = createJsonTransport({ url: CHAT_URL, headers: { 'X-Tenant': 'acme' } });
    const result = await collect(withHeaders, userRequest('Hello', { conversationId: 'c9' }));
    expect(result).toEqual({ events: [{ type: 'delta', content: 'Hi there' }, done('Hi there', { finishReason: 'stop' })], error: undefined });
    expect(seen?.headers.get('accept')).toBe('application/json');
    expect(seen?.headers.get('content-type')).toBe('application/json');
    expect(seen?.headers.get('x-tenant')).toBe('acme');
    expect(body).toEqual({ messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'Hello' }] }], conversationId: 'c9' });
  });

  it("reads the seed's { message, tokens } shape", async () => {
    answerJson({ message: 'text', tokens: 42 });
    expect((await collect(transport)).events).toEqual([
      { type: 'delta', content: 'text' },
      { type: 'usage', usage: { promptTokens: 0, completionTokens: 0, totalTokens: 42 } },
      done('text'),
    ]);
  });

  it('prefers usage (camel or snake case) over tokens', async () => {
    answerJson({ message: 'a', tokens: 42, usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });
    expect((await collect(transport)).events[1]).toEqual({ type: 'usage', usage: { promptTokens: 5, completionTokens: 1, totalTokens: 6 } });
  });

  it('reads a message with id and parts, keeping parts of unknown types', async () => {
    const parts = [
      { type: 'text', text: 'One ' },
      { type: 'source', url: 'https://example.com' },
      { type: 'text', text: 'two' },
    ];
    answerJson({ message: { id: 'a1', role: 'assistant', parts } });
    expect((await collect(transport)).events).toEqual([
      { type: 'delta', content: 'One two' },
      {
        type: 'done',
        message: {
          id: 'a1',
          parts: [
            { type: 'text', text: 'One ', state: 'done' },
            { type: 'source', url: 'https://example.com' },
            { type: 'text', text: 'two', state: 'done' },
          ],
        },
      },
    ]);
  });

  it('reads a { content } message and skips the delta of an empty answer', async () => {
    answerJson({ message: { content: 'short' } });
    expect((await collect(transport)).events).toEqual([{ type: 'delta', content: 'short' }, done('short')]);
    answerJson({ message: '' });
    expect((await collect(transport)).events).toEqual([done('')]);
  });

  it.each([
    ['invalid JSON', () => new HttpResponse('{"message": "a"', { headers: { 'Content-Type': 'application/json' } })],
    ['no message', () => HttpResponse.json({ text: 'hello' })],
    ['a message of the wrong type', () => HttpResponse.json({ message: 42 })],
    ['a part without text', () => HttpResponse.json({ message: { parts: [{ type: 'text' }] } })],
    ['a JSON string body', () => HttpResponse.json('hello')],
    ['a JSON array body', () => HttpResponse.json([{ message: 'a' }])],
    ['a text/html 200', () => new HttpResponse('{"message":"a"}', { headers: { 'Content-Type': 'text/html' } })],
    ['an event stream', () => new HttpResponse('data: {"content":"a"}\n\n', { headers: { 'Content-Type': 'text/event-stream' } })],
  ])('throws bad_response for %s', async (_name, respond) => {
    server.use(http.post(CHAT_URL, respond));
    const { events, error } = await collect(transport);
    expect(events).toEqual([]);
    expectChatError(error, 'bad_response');
  });

  it('accepts +json media types and parameters', async () => {
    server.use(http.post(CHAT_URL, () => new HttpResponse('{"message":"ok"}', { headers: { 'Content-Type': 'application/vnd.chat+json; charset=utf-8' } })));
    expect((await collect(transport)).events[0]).toEqual({ type: 'delta', content: 'ok' });
  });

  it('throws the error of a 200 body that holds one', async () => {
    answerJson({ error: { code: 'message_too_long', message: 'Too long.' } });
    expect(expectChatError((await collect(transport)).error, 'message_too_long').message).toBe('Too long.');
  });

  it('maps a non-2xx answer with chatErrorFromResponse', async () => {
    answerJson({ error: 'Session expired.' }, { status: 401 });
    expect(expectChatError((await collect(transport)).error, 'unauthorized')).toMatchObject({ message: 'Session expired.', status: 401, retryable: false });
  });

  it('maps a failed fetch to network', async () => {
    server.use(http.post(CHAT_URL, () => HttpResponse.error()));
    expectChatError((await collect(transport)).error, 'network');
  });

  it('throws aborted when the signal aborts while waiting', async () => {
    server.use(
      http.post(CHAT_URL, async () => {
        await delay('infinite');
        return HttpResponse.json({ message: 'never' });
      }),
    );
    const controller = new AbortController();
    const turn = collect(transport, userRequest(), controller.signal);
    setTimeout(() => controller.abort('stop'), 10);
    const { events, error } = await turn;
    expect(events).toEqual([]);
    expectChatError(error, 'aborted');
  });

  it('yields nothing after an abort between events', async () => {
    answerJson({ message: 'Hello', usage: { totalTokens: 3 } });
    const controller = new AbortController();
    const seen: string[] = [];
    let error: unknown;
    try {
      for await (const event of transport.send(userRequest(), { signal: controller.signal })) {
        seen.push(event.type);
        controller.abort();
      }
    } catch (caught) {
      error = caught;
    }
    expect(seen).toEqual(['delta']);
    expectChatError(error, 'aborted');
  });

  it('throws aborted without sending when the signal is already aborted', async () => {
    let requests = 0;
    server.use(
      http.post(CHAT_URL, () => {
        requests++;
        return HttpResponse.json({ message: 'a' });
      }),
    );
    expectChatError((await collect(transport, userRequest(), AbortSignal.abort())).error, 'aborted');
    expect(requests).toBe(0);
  });

  it('maps a headers function that throws through toChatError', async () => {
    const failing = createJsonTransport({
      url: CHAT_URL,
      headers: () => {
        throw new TypeError('token refresh failed');
      },
    });
    expectChatError((await collect(failing)).error, 'network');
  });
});
