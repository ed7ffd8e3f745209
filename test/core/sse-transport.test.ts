import { delay, http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSseTransport, isChatError, type ChatError, type ChatEvent } from 'colloquy/core';
import {
  CHAT_URL,
  collect,
  controlledStream,
  deltaText,
  DONE_FRAME,
  frame,
  SSE_HEADERS,
  streamOf,
  setupMswServer,
  userRequest,
} from '../helpers/transport-harness.js';

const server = setupMswServer();

function answerWith(chunks: string[], headers: HeadersInit = SSE_HEADERS): void {
  server.use(http.post(CHAT_URL, () => new HttpResponse(streamOf(chunks), { headers })));
}

function expectChatError(error: unknown, code: ChatError['code']): ChatError {
  expect(isChatError(error)).toBe(true);
  expect((error as ChatError).code).toBe(code);
  return error as ChatError;
}

const transport = createSseTransport({ url: CHAT_URL });

describe('createSseTransport: requests', () => {
  it('POSTs the wire body as JSON with the protocol headers and the caller headers', async () => {
    let seen: Request | undefined;
    let body: unknown;
    server.use(
      http.post(CHAT_URL, async ({ request }) => {
        seen = request;
        body = await request.json();
        return new HttpResponse(streamOf([DONE_FRAME]), { headers: SSE_HEADERS });
      }),
    );
    const withHeaders = createSseTransport({
      url: CHAT_URL,
      headers: async () => ({ Authorization: 'Bearer t0k', 'Content-Type': 'text/plain', Accept: 'text/html' }),
    });
    const result = await collect(withHeaders, userRequest('Hi', { conversationId: 'c1', body: { model: 'gpt-x', messages: 'ignored' } }));
    expect(result).toEqual({ events: [{ type: 'done' }], error: undefined });
    expect(seen?.method).toBe('POST');
    expect(seen?.headers.get('authorization')).toBe('Bearer t0k');
    expect(seen?.headers.get('content-type')).toBe('application/json');
    expect(seen?.headers.get('accept')).toBe('text/event-stream');
    expect(body).toEqual({
      model: 'gpt-x',
      messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'Hi' }] }],
      conversationId: 'c1',
    });
  });

  it('uses the injected fetch and passes credentials', async () => {
    answerWith([frame({ content: 'ok' }), DONE_FRAME]);
    const calls: RequestInit[] = [];
    const viaFetch = createSseTransport({
      url: CHAT_URL,
      credentials: 'include',
      fetch: (input, init) => {
        calls.push(init ?? {});
        return globalThis.fetch(input, init);
      },
    });
    const { events } = await collect(viaFetch);
    expect(deltaText(events)).toBe('ok');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.credentials).toBe('include');
    expect(calls[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it('maps a non-2xx answer with chatErrorFromResponse', async () => {
    server.use(
      http.post(CHAT_URL, () =>
        HttpResponse.json({ error: { code: 'rate_limited', message: 'Slow down.' } }, { status: 429, headers: { 'retry-after': '3' } }),
      ),
    );
    const { events, error } = await collect(transport);
    expect(events).toEqual([]);
    const chatError = expectChatError(error, 'rate_limited');
    expect(chatError).toMatchObject({ message: 'Slow down.', status: 429, retryAfterMs: 3000, retryable: true });
  });

  it('maps a failed fetch to network', async () => {
    server.use(http.post(CHAT_URL, () => HttpResponse.error()));
    expectChatError((await collect(transport)).error, 'network');
  });
});

describe('createSseTransport: answers', () => {
  it('yields the kit stream as deltas, then done', async () => {
    answerWith([': connected\n\n', frame({ content: 'Hel' }), frame({ content: '' }), frame({ content: 'lo' }), DONE_FRAME]);
    const result = await collect(transport);
    expect(result).toEqual({
      events: [
        { type: 'delta', content: 'Hel' },
        { type: 'delta', content: 'lo' },
        { type: 'done' },
      ],
      error: undefined,
    });
  });

  it("yields a start event for the history stream's messageId frame", async () => {
    answerWith([frame({ messageId: 'a8', userMessageId: 'u7' }), frame({ content: 'Hi' }), DONE_FRAME]);
    const result = await collect(transport);
    expect(result.events).toEqual([{ type: 'start', messageId: 'a8' }, { type: 'delta', content: 'Hi' }, { type: 'done' }]);
  });

  it('accepts media type parameters and any case', async () => {
    answerWith([frame({ content: 'a' }), DONE_FRAME], { 'Content-Type': 'Text/Event-Stream; charset=utf-8' });
    expect(deltaText((await collect(transport)).events)).toBe('a');
  });

  it('reads a payload holding content, usage and finishReason together', async () => {
    answerWith([frame({ content: 'Hi', usage: { promptTokens: 3, completionTokens: 1, totalTokens: 4 }, finishReason: 'length' }), DONE_FRAME]);
    expect((await collect(transport)).events).toEqual([
      { type: 'delta', content: 'Hi' },
      { type: 'usage', usage: { promptTokens: 3, completionTokens: 1, totalTokens: 4 } },
      { type: 'done', finishReason: 'length' },
    ]);
  });

  it('remembers a finishReason sent alone and reads snake_case usage', async () => {
    answerWith([frame({ content: 'x' }), frame({ finishReason: 'content_filter' }), frame({ usage: { prompt_tokens: 2, completion_tokens: 5 } }), DONE_FRAME]);
    expect((await collect(transport)).events).toEqual([
      { type: 'delta', content: 'x' },
      { type: 'usage', usage: { promptTokens: 2, completionTokens: 5, totalTokens: 7 } },
      { type: 'done', finishReason: 'content_filter' },
    ]);
  });

  it('reads a raw OpenAI chat.completion.chunk stream', async () => {
    const chunk = (delta: object, finish: string | null = null, usage: object | null = null) =>
      frame({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }], usage });
    answerWith([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Bon' }),
      // With n > 1, chunks of other choices are interleaved; only choice 0 is the answer.
      frame({ object: 'chat.completion.chunk', choices: [{ index: 1, delta: { content: 'OTHER' }, finish_reason: null }] }),
      chunk({ content: 'jour' }),
      chunk({}, 'stop'),
      frame({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } }),
      DONE_FRAME,
    ]);
    expect((await collect(transport)).events).toEqual([
      { type: 'delta', content: 'Bon' },
      { type: 'delta', content: 'jour' },
      { type: 'usage', usage: { promptTokens: 9, completionTokens: 2, totalTokens: 11 } },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  it('reads only object choices and deltas, whatever other JSON a chunk holds in their place', async () => {
    const choices = (...items: unknown[]) => frame({ object: 'chat.completion.chunk', choices: items, usage: null });
    answerWith([
      // Values that are not choices are skipped on the way to choice 0, arrays included.
      choices(5, 'x', null, [{ index: 0, delta: { content: 'NO' } }], { index: 0, delta: { content: 'a' } }),
      choices({ index: 0, delta: 'b' }),
      choices({ index: 0, delta: ['c'] }),
      choices({ index: 0, delta: null }),
      choices({ index: 0, delta: { content: 7 } }),
      choices({ index: 0, delta: { content: 'd' }, finish_reason: 'stop' }),
      DONE_FRAME,
    ]);
    const result = await collect(transport);
    expect(result.error).toBeUndefined();
    expect(result.events).toEqual([{ type: 'delta', content: 'a' }, { type: 'delta', content: 'd' }, { type: 'done', finishReason: 'stop' }]);
  });

  it('ignores unknown payload keys and unknown event names', async () => {
    answerWith([
      frame({ content: 'a', reasoning: 'hidden', future: { x: 1 } }),
      'event: ping\ndata: not json at all\n\n',
      'event: tool-call\ndata: {"name":"search"}\n\n',
      frame({ somethingNew: true }),
      frame({ content: 'b' }),
      DONE_FRAME,
    ]);
    const result = await collect(transport);
    expect(result.error).toBeUndefined();
    expect(result.events).toEqual([{ type: 'delta', content: 'a' }, { type: 'delta', content: 'b' }, { type: 'done' }]);
  });
});

describe('createSseTransport: errors in the stream', () => {
  it('throws the ChatError of an `event: error`, after the deltas before it', async () => {
    answerWith([frame({ content: 'partial' }), 'event: error\ndata: {"code":"rate_limited","message":"Quota hit.","retryAfterMs":1500}\n\n', frame({ content: 'never' })]);
    const { events, error } = await collect(transport);
    expect(events).toEqual([{ type: 'delta', content: 'partial' }]);
    expect(expectChatError(error, 'rate_limited')).toMatchObject({ message: 'Quota hit.', retryAfterMs: 1500 });
  });

  it.each([
    ['an unknown code', '{"code":"kaboom","message":"Odd."}', 'server_error', 'Odd.'],
    ['no message', '{"code":"upstream_unavailable"}', 'upstream_unavailable', 'The AI service is unavailable right now.'],
    ['a nested error object', '{"error":{"code":"forbidden","message":"No."}}', 'forbidden', 'No.'],
    ['data that is not JSON', 'oops', 'server_error', 'The server had a problem answering.'],
  ] as const)('maps an `event: error` with %s', async (_name, data, code, message) => {
    answerWith([`event: error\ndata: ${data}\n\n`]);
    expect(expectChatError((await collect(transport)).error, code).message).toBe(message);
  });

  it('ignores an invalid retryAfterMs and clamps a huge one', async () => {
    answerWith(['event: error\ndata: {"code":"rate_limited","retryAfterMs":-5}\n\n']);
    expect(expectChatError((await collect(transport)).error, 'rate_limited').retryAfterMs).toBeUndefined();
    answerWith(['event: error\ndata: {"code":"rate_limited","retryAfterMs":1e12}\n\n']);
    expect(expectChatError((await collect(transport)).error, 'rate_limited').retryAfterMs).toBe(24 * 60 * 60 * 1000);
  });

  it('throws the error of an OpenAI-style `{"error":{...}}` data frame', async () => {
    answerWith([frame({ content: 'a' }), frame({ error: { message: 'The server is overloaded.', type: 'server_error', code: null } })]);
    const { events, error } = await collect(transport);
    expect(events).toEqual([{ type: 'delta', content: 'a' }]);
    expect(expectChatError(error, 'server_error').message).toBe('The server is overloaded.');
  });

  it.each([
    ['invalid JSON', 'data: {"content": "a"\n\n'],
    ['a JSON string', 'data: "hello"\n\n'],
    ['a JSON array', 'data: [1]\n\n'],
    ['empty data', 'data:\n\n'],
    ['a data field with no colon', 'data\n\n'],
  ])('throws bad_response for %s, keeping earlier deltas', async (_name, bad) => {
    answerWith([frame({ content: 'kept' }), bad, frame({ content: 'never' }), DONE_FRAME]);
    const { events, error } = await collect(transport);
    expect(events).toEqual([{ type: 'delta', content: 'kept' }]);
    expectChatError(error, 'bad_response');
  });

  it('rejects a 200 that is not an event stream, without yielding', async () => {
    answerWith([frame({ content: 'looks like SSE' }), DONE_FRAME], { 'Content-Type': 'text/html' });
    const { events, error } = await collect(transport);
    expect(events).toEqual([]);
    expect(expectChatError(error, 'bad_response').status).toBe(200);
  });

  it('throws bad_response when the body ends without [DONE], keeping earlier deltas', async () => {
    answerWith([frame({ content: 'Hello' }), frame({ content: ' wor' })]);
    const { events, error } = await collect(transport);
    expect(deltaText(events)).toBe('Hello wor');
    expect(expectChatError(error, 'bad_response').message).toBe('The answer was cut off before it finished.');
  });

  it('never dispatches a final [DONE] that lacks its blank line', async () => {
    answerWith([frame({ content: 'a' }), 'data: [DONE]\n']);
    const { events, error } = await collect(transport);
    expect(events).toEqual([{ type: 'delta', content: 'a' }]);
    expectChatError(error, 'bad_response');
  });

  it('maps a connection reset mid-stream to network, keeping earlier deltas', async () => {
    const body = controlledStream();
    server.use(http.post(CHAT_URL, () => new HttpResponse(body.stream, { headers: SSE_HEADERS })));
    const iterator = transport.send(userRequest(), { signal: new AbortController().signal })[Symbol.asyncIterator]();
    body.push(frame({ content: 'first' }));
    expect(await iterator.next()).toEqual({ done: false, value: { type: 'delta', content: 'first' } });
    body.fail(new TypeError('terminated'));
    await expect(iterator.next()).rejects.toMatchObject({ name: 'ChatError', code: 'network' });
  });
});

describe('createSseTransport: [DONE]', () => {
  it.each([
    ['with the space', 'data: [DONE]\n\n'],
    ['without the space', 'data:[DONE]\n\n'],
    ['with CRLF endings', 'data: [DONE]\r\n\r\n'],
  ])('ends the answer at [DONE] %s', async (_name, done) => {
    answerWith([frame({ content: 'a' }), done]);
    expect(await collect(transport)).toEqual({ events: [{ type: 'delta', content: 'a' }, { type: 'done' }], error: undefined });
  });

  it.each([
    ['a trailing character', 'data: [DONE]x\n\n'],
    ['a trailing space', 'data: [DONE] \n\n'],
    ['two leading spaces (only one is stripped)', 'data:  [DONE]\n\n'],
    ['lower case', 'data: [done]\n\n'],
    ['a second data line', 'data: [DONE]\ndata: \n\n'],
  ])('treats [DONE] with %s as malformed data', async (_name, notDone) => {
    answerWith([frame({ content: 'a' }), notDone, DONE_FRAME]);
    const { events, error } = await collect(transport);
    expect(events).toEqual([{ type: 'delta', content: 'a' }]);
    expectChatError(error, 'bad_response');
  });

  it('ignores frames after [DONE] in the same chunk and in later ones', async () => {
    answerWith([frame({ content: 'a' }) + DONE_FRAME + frame({ content: 'late' }), frame({ content: 'later' }), 'event: error\ndata: {}\n\n']);
    expect(await collect(transport)).toEqual({ events: [{ type: 'delta', content: 'a' }, { type: 'done' }], error: undefined });
  });

  it('finishes at [DONE] while the server keeps the connection open', async () => {
    server.use(http.post(CHAT_URL, () => new HttpResponse(streamOf([frame({ content: 'a' }), DONE_FRAME], { close: false }), { headers: SSE_HEADERS })));
    expect(await collect(transport)).toEqual({ events: [{ type: 'delta', content: 'a' }, { type: 'done' }], error: undefined });
  });

  it('cancels the body before yielding done, even if the caller stops iterating there', async () => {
    // Through the documented `fetch` option: MSW does not forward the client's cancel to the handler's stream.
    const body = controlledStream();
    const viaFetch = createSseTransport({ url: CHAT_URL, fetch: async () => new Response(body.stream, { headers: SSE_HEADERS }) });
    const iterator = viaFetch.send(userRequest(), { signal: new AbortController().signal })[Symbol.asyncIterator]();
    body.push(DONE_FRAME);
    expect(await iterator.next()).toEqual({ done: false, value: { type: 'done' } });
    await expect(body.cancelled).resolves.toBeUndefined();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });
});

describe('createSseTransport: stopping', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('throws aborted and yields nothing more once the signal aborts mid-stream', async () => {
    const body = controlledStream();
    server.use(http.post(CHAT_URL, () => new HttpResponse(body.stream, { headers: SSE_HEADERS })));
    const controller = new AbortController();
    const events: ChatEvent[] = [];
    let error: unknown;
    body.push(frame({ content: 'one' }) + frame({ content: 'two' }));
    try {
      for await (const event of transport.send(userRequest(), { signal: controller.signal })) {
        events.push(event);
        // Abort between two deltas of the same chunk, then keep the server talking.
        controller.abort();
        body.push(frame({ content: 'three' }) + DONE_FRAME);
      }
    } catch (caught) {
      error = caught;
    }
    expect(events).toEqual([{ type: 'delta', content: 'one' }]);
    expectChatError(error, 'aborted');
  });

  it('throws aborted, not the raw reason, while waiting for the response', async () => {
    server.use(
      http.post(CHAT_URL, async () => {
        await delay('infinite');
        return new HttpResponse(null);
      }),
    );
    const controller = new AbortController();
    const turn = collect(transport, userRequest(), controller.signal);
    setTimeout(() => controller.abort(new Error('user pressed stop')), 10);
    const { events, error } = await turn;
    expect(events).toEqual([]);
    expect(expectChatError(error, 'aborted').message).toBe('The request was cancelled.');
  });

  it('does not send anything when the signal is already aborted', async () => {
    const onRequest = vi.fn(() => new HttpResponse(streamOf([DONE_FRAME]), { headers: SSE_HEADERS }));
    server.use(http.post(CHAT_URL, onRequest));
    const controller = new AbortController();
    controller.abort();
    expectChatError((await collect(transport, userRequest(), controller.signal)).error, 'aborted');
    expect(onRequest).not.toHaveBeenCalled();
  });

  it('keeps a stream alive on heartbeat comments and times out after idleTimeoutMs of silence', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const body = controlledStream();
    server.use(http.post(CHAT_URL, () => new HttpResponse(body.stream, { headers: SSE_HEADERS })));
    const slow = createSseTransport({ url: CHAT_URL, idleTimeoutMs: 10_000 });
    const iterator = slow.send(userRequest(), { signal: new AbortController().signal })[Symbol.asyncIterator]();
    body.push(frame({ content: 'a' }));
    const first = iterator.next();
    // MSW resolves the response on a timer of its own.
    await vi.advanceTimersByTimeAsync(1);
    expect(await first).toEqual({ done: false, value: { type: 'delta', content: 'a' } });
    let settled = false;
    const next = iterator.next().finally(() => (settled = true));
    next.catch(() => undefined);
    for (let beat = 0; beat < 5; beat++) {
      await vi.advanceTimersByTimeAsync(9_000);
      body.push(': heartbeat\n');
    }
    await vi.advanceTimersByTimeAsync(9_000);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(next).rejects.toMatchObject({ name: 'ChatError', code: 'timeout' });
  });

  it('aborts the fetch and cancels the body when the turn stops or times out', async () => {
    // Through the documented `fetch` option: MSW does not forward the client's cancel to the handler's stream.
    const opened: Array<{ body: ReturnType<typeof controlledStream>; signal: AbortSignal }> = [];
    const viaFetch = createSseTransport({
      url: CHAT_URL,
      idleTimeoutMs: 50,
      fetch: async (_input, init) => {
        const body = controlledStream();
        opened.push({ body, signal: init!.signal! });
        body.push(frame({ content: 'a' }));
        return new Response(body.stream, { headers: SSE_HEADERS });
      },
    });
    const silent = await collect(viaFetch);
    expect(silent.events).toEqual([{ type: 'delta', content: 'a' }]);
    expect(expectChatError(silent.error, 'timeout').message).toBe('The server sent nothing for 0.05 seconds.');
    expect(opened[0]?.signal.aborted).toBe(true);
    await opened[0]?.body.cancelled;

    const controller = new AbortController();
    const iterator = viaFetch.send(userRequest(), { signal: controller.signal })[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: { type: 'delta', content: 'a' } });
    const next = iterator.next();
    controller.abort();
    await expect(next).rejects.toMatchObject({ name: 'ChatError', code: 'aborted' });
    expect(opened[1]?.signal.aborted).toBe(true);
    await opened[1]?.body.cancelled;

    // Stopped before this fetch (which ignores its signal) answered: the late answer is released too.
    const early = new AbortController();
    const stoppedEarly = collect(viaFetch, userRequest(), early.signal);
    early.abort();
    expectChatError((await stoppedEarly).error, 'aborted');
    await vi.waitFor(() => expect(opened).toHaveLength(3));
    await opened[2]?.body.cancelled;
  });

  it('times out when the response headers never come', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let requestSignal: AbortSignal | undefined;
    server.use(
      http.post(CHAT_URL, async ({ request }) => {
        requestSignal = request.signal;
        await delay('infinite');
        return new HttpResponse(null);
      }),
    );
    const turn = collect(createSseTransport({ url: CHAT_URL }), userRequest());
    await vi.advanceTimersByTimeAsync(44_999);
    expect(requestSignal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expectChatError((await turn).error, 'timeout');
    expect(requestSignal?.aborted).toBe(true);
  });
});

describe('createSseTransport: maxEventBytes', () => {
  it('fails with bad_response when an event grows past the limit across chunks', async () => {
    const body = controlledStream();
    server.use(http.post(CHAT_URL, () => new HttpResponse(body.stream, { headers: SSE_HEADERS })));
    const small = createSseTransport({ url: CHAT_URL, maxEventBytes: 1000 });
    const turn = collect(small);
    body.push(frame({ content: 'ok' }));
    body.push('data: {"content":"');
    for (let i = 0; i < 20; i++) body.push('x'.repeat(100));
    const { events, error } = await turn;
    expect(events).toEqual([{ type: 'delta', content: 'ok' }]);
    expect(expectChatError(error, 'bad_response').message).toMatch(/larger than 1000 bytes/);
  });

  it('fails when one chunk completes an event and then starts an oversized one', async () => {
    answerWith([frame({ content: 'ok' }) + 'data: ' + 'y'.repeat(2000)]);
    const { events, error } = await collect(createSseTransport({ url: CHAT_URL, maxEventBytes: 1000 }));
    expect(events).toEqual([{ type: 'delta', content: 'ok' }]);
    expectChatError(error, 'bad_response');
  });

  it('counts bytes, not characters', async () => {
    // 400 characters, 1200 bytes: under a character cap, over the byte cap.
    answerWith(['data: {"content":"', ...Array.from({ length: 4 }, () => '世'.repeat(100))]);
    const { error } = await collect(createSseTransport({ url: CHAT_URL, maxEventBytes: 1000 }));
    expect(expectChatError(error, 'bad_response').message).toMatch(/larger than 1000 bytes/);
  });

  it('counts lines that complete no event, such as endless fields without data', async () => {
    answerWith([frame({ content: 'ok' }), ...Array.from({ length: 100 }, () => 'event: ping\nid: 1\n\n')]);
    const { events, error } = await collect(createSseTransport({ url: CHAT_URL, maxEventBytes: 1000 }));
    expect(events).toEqual([{ type: 'delta', content: 'ok' }]);
    expect(expectChatError(error, 'bad_response').message).toMatch(/larger than 1000 bytes/);
  });

  it('counts bytes since the last event or comment, not in total', async () => {
    const frames = Array.from({ length: 50 }, (_, i) => frame({ content: `${i % 10}`.repeat(40) }));
    answerWith([...frames, ': ' + 'c'.repeat(900) + '\n', DONE_FRAME]);
    const { events, error } = await collect(createSseTransport({ url: CHAT_URL, maxEventBytes: 1000 }));
    expect(error).toBeUndefined();
    expect(events).toHaveLength(51);
  });

  it('defaults to 1 MiB', async () => {
    const justUnder = 'data: {"content":"' + 'z'.repeat(1_048_576 - 40) + '"}\n\n';
    answerWith([justUnder.slice(0, 500_000), justUnder.slice(500_000), DONE_FRAME]);
    const ok = await collect(transport);
    expect(ok.error).toBeUndefined();
    expect(deltaText(ok.events)).toHaveLength(1_048_576 - 40);
    answerWith(['data: ', 'w'.repeat(600_000), 'w'.repeat(600_000)]);
    expectChatError((await collect(transport)).error, 'bad_response');
  });
});
