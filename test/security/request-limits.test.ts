import { describe, expect, it } from 'vitest';
import { createChatHandlers, createMemoryConversationStore, type ChatLogEvent, type ChatLogger } from 'colloquy/server';
import { call, historyHandlers, jsonOf, storedMessages } from '../server/history-support.js';
import { CHAT_URL, mockOpenAI, post, setupOpenAIServer, STREAM_URL, testClient } from '../server/support.js';

// Bodies an attacker can send cheaply. Oversized bodies are covered per endpoint in test/server/request-validation.test.ts
// and history-send.contract.ts; this file adds nesting depth, and a declared Content-Length on every endpoint that reads a body.
const server = setupOpenAIServer();

/** Deeper than any recursive walk (JSON.stringify, structuredClone, a recursive validator) survives on Node's stack. */
const DEPTH = 10_000;
const deepArray = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
const deepObject = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);

/** Records every log event, so a refused request that the server logged as its own failure (5xx) shows up. */
function recordingLogger(): ChatLogger & { errors: ChatLogEvent[] } {
  const errors: ChatLogEvent[] = [];
  return { errors, info: () => undefined, warn: () => undefined, error: (event) => void errors.push(event) };
}

/** A body stream that counts how many chunks the server pulled from it. */
function countedBody(): { body: ReadableStream<Uint8Array>; readonly pulls: number } {
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++;
        controller.enqueue(new TextEncoder().encode('{"message":"'.padEnd(64 * 1024, 'x')));
      },
    },
    { highWaterMark: 0 },
  );
  return {
    body,
    get pulls() {
      return pulls;
    },
  };
}

/** A request that declares a 10 MiB body, of which the server must read nothing. */
function declaredHuge(url: string, method: string, body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  return new Request(url, {
    method,
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(10 * 1024 * 1024), ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
}

describe('a deeply nested chat body (10,000 levels) is refused with 400, not a 500 or a stack overflow', () => {
  const bodies: Array<[string, string]> = [
    ['a top-level array', deepArray],
    ['a top-level object', deepObject],
    ['"messages"', `{"messages":${deepArray}}`],
    ['a message role (array)', `{"messages":[{"role":${deepArray},"content":"Hi"}]}`],
    ['a message role (object)', `{"messages":[{"role":${deepObject},"content":"Hi"}]}`],
    ['a message id', `{"messages":[{"id":${deepArray},"role":"user","content":"Hi"}]}`],
    ['a message content', `{"messages":[{"role":"user","content":${deepObject}}]}`],
    ['"parts"', `{"messages":[{"role":"user","parts":${deepArray}}]}`],
    ['a part type', `{"messages":[{"role":"user","parts":[{"type":${deepArray}}]}]}`],
    ['a text part text', `{"messages":[{"role":"user","parts":[{"type":"text","text":${deepArray}}]}]}`],
    ['a part of an unknown type', `{"messages":[{"role":"user","parts":[{"type":"note","data":${deepArray}},{"type":"text","text":"Hi"}]}]}`],
    ['an unknown top-level field', `{"messages":[{"role":"user","content":"Hi"}],"extra":${deepObject}}`],
  ];

  it.each(bodies)('in %s', async (_where, body) => {
    const upstream = mockOpenAI(server);
    const logger = recordingLogger();
    const { chat, stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', logger });
    for (const [handler, url] of [[chat, CHAT_URL], [stream, STREAM_URL]] as const) {
      const response = await handler(post(url, body));
      expect({ url, status: response.status, body: await response.json() }).toEqual({
        url,
        status: 400,
        body: { error: { code: 'invalid_input', message: expect.any(String) } },
      });
    }
    expect(logger.errors).toEqual([]);
    expect(upstream.count).toBe(0);
  });

  it('while the same endpoint still answers an ordinary body (control)', async () => {
    mockOpenAI(server, { reply: 'Fine.' });
    const { chat } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini' });
    expect(await jsonOf(chat(post(CHAT_URL, '{"messages":[{"role":"user","parts":[{"type":"note","data":[[1]]},{"type":"text","text":"Hi"}]}]}')))).toMatchObject({
      message: { parts: [{ type: 'text', text: 'Fine.' }] },
    });
  });
});

describe('a deeply nested history body (10,000 levels) is refused with 400 and stores nothing', () => {
  const requests: Array<[string, string, string, string]> = [
    ['create: id', 'POST', '', `{"id":${deepArray}}`],
    ['create: title', 'POST', '', `{"title":${deepObject}}`],
    ['rename: title', 'PATCH', '/c1', `{"title":${deepArray}}`],
    ['send: role', 'POST', '/c1/messages', `{"message":{"id":"u1","role":${deepArray},"content":"Hi"}}`],
    ['send: parentId', 'POST', '/c1/messages', `{"message":{"id":"u1","role":"user","content":"Hi","parentId":${deepArray}}}`],
    ['send: a part of an unknown type', 'POST', '/c1/messages', `{"message":{"id":"u1","role":"user","parts":[{"type":"note","data":${deepArray}},{"type":"text","text":"Hi"}]}}`],
  ];

  it.each(requests)('%s', async (_where, method, path, body) => {
    const upstream = mockOpenAI(server);
    const logger = recordingLogger();
    const handlers = historyHandlers(createMemoryConversationStore(), { logger });
    await jsonOf(call(handlers, 'POST', '', { body: { id: 'c1' } }), 201);
    for (const accept of ['application/json', 'text/event-stream']) {
      const response = await call(handlers, method, path, { body, accept });
      expect({ accept, status: response.status, body: await response.json() }).toEqual({
        accept,
        status: 400,
        body: { error: { code: 'invalid_input', message: expect.any(String) } },
      });
    }
    expect(logger.errors).toEqual([]);
    expect(upstream.count).toBe(0);
    expect(await storedMessages(handlers, 'c1')).toEqual([]);
    expect((await jsonOf<{ conversations: unknown[] }>(call(handlers, 'GET', ''))).conversations).toEqual([
      expect.objectContaining({ id: 'c1', title: 'New conversation' }),
    ]);
  });
});

describe('a declared Content-Length over maxBodyBytes is refused with 413 before a byte is read, on every endpoint with a body', () => {
  it('chat and stream', async () => {
    const upstream = mockOpenAI(server);
    const { chat, stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', maxBodyBytes: 1024 });
    for (const [handler, url] of [[chat, CHAT_URL], [stream, STREAM_URL]] as const) {
      const counted = countedBody();
      const response = await handler(declaredHuge(url, 'POST', counted.body));
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ error: { code: 'message_too_long', message: expect.any(String) } });
      expect(counted.pulls).toBe(0);
    }
    expect(upstream.count).toBe(0);
  });

  it.each([
    ['create', 'POST', ''],
    ['rename', 'PATCH', '/c1'],
    ['send', 'POST', '/c1/messages'],
  ])('history %s', async (_name, method, path) => {
    const upstream = mockOpenAI(server);
    const handlers = historyHandlers(createMemoryConversationStore(), { maxBodyBytes: 1024 });
    await jsonOf(call(handlers, 'POST', '', { body: { id: 'c1' } }), 201);
    const counted = countedBody();
    const response = await handlers.handle(declaredHuge(`http://localhost/api/conversations${path}`, method, counted.body, { 'X-User': 'alice' }));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: 'message_too_long', message: expect.any(String) } });
    expect(counted.pulls).toBe(0);
    expect(upstream.count).toBe(0);
  });
});
