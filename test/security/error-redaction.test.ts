import { http, HttpResponse } from 'msw';
import type OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatError } from 'colloquy/core';
import {
  createChatHandlers,
  createHistoryHandlers,
  createMemoryConversationStore,
  type ChatHandlersOptions,
  type ConversationStore,
  type HistoryHandlersOptions,
  type HistoryRouteHandlers,
} from 'colloquy/server';
import { mockOpenAI, post, setupOpenAIServer, userTurn, CHAT_URL, STREAM_URL } from '../server/support.js';

// Every error path of the chat and history handlers that a request can reach, with the key (`sk-canary-<uuid>`) in
// the environment, in every upstream message and in every thrown error. What the client receives (status, headers,
// body, SSE error frames) must hold neither the key nor a stack trace. The logs are covered by test/server/secrets.test.ts.
const server = setupOpenAIServer();
const OPENAI = 'https://api.openai.com/v1';
const HISTORY = 'http://localhost/api/conversations';

let canary: string;

beforeEach(() => {
  canary = `sk-canary-${crypto.randomUUID()}`;
  // The production path: the key comes from the environment, the SDK's default base URL (emulated by MSW).
  vi.stubEnv('OPENAI_API_KEY', canary);
  vi.stubEnv('OPENAI_BASE_URL', undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Signs of a stack trace or a server path: `    at fn (file:1:2)`, `file.ts:12:3`, `node_modules`, absolute paths. */
const STACK_SIGNS: readonly RegExp[] = [/\n\s*at\s/, /\bat\s+\S+\s+\(/, /\.(?:[cm]?[jt]sx?):\d+/, /node_modules/, /(?:^|[\s"'(])\/(?:work|home|usr|app|var|tmp)\//];

/** What in `text` should never reach a client: the key, anything shaped like an OpenAI key, a stack trace. */
function leaksIn(text: string): string[] {
  const leaks: string[] = [];
  if (text.includes(canary)) leaks.push('the API key');
  if (/\bsk-[A-Za-z0-9_-]{6,}/.test(text)) leaks.push('a key-shaped string');
  for (const sign of STACK_SIGNS) if (sign.test(text)) leaks.push(`a stack trace (${String(sign)})`);
  return leaks;
}

/** The whole response as a client sees it, after checking that it reports an error the protocol's way. */
async function errorAnswer(response: Response): Promise<string> {
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  const body = await response.text();
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    // After the 200: exactly one `event: error` with `{ code, message, retryAfterMs? }`, and no [DONE].
    const frames = [...body.matchAll(/^event: error\ndata: (.*)$/gm)].map((match) => JSON.parse(match[1]!) as Record<string, unknown>);
    expect(frames, body).toHaveLength(1);
    expect(Object.keys(frames[0]!).filter((key) => key !== 'retryAfterMs')).toEqual(['code', 'message']);
    expect(body).not.toContain('[DONE]');
  } else if (response.status !== 204) {
    expect(response.status, body).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(body)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  }
  return `${response.status}\n${headers}\n\n${body}`;
}

/** A thrown error that carries the key in its message, its stack and its cause. */
function poisoned(): Error {
  return new Error(`connection string postgres://app:${canary}@10.0.0.5/db`, { cause: new Error(canary) });
}

/** An `openai` client whose calls throw `poisoned()`, as a custom client or a broken SDK would. */
function throwingClient(): OpenAI {
  const create = () => {
    throw poisoned();
  };
  return { apiKey: canary, chat: { completions: { create } } } as unknown as OpenAI;
}

/** The emulated OpenAI echoing the key in its error body and headers, as its 401 really does. */
function upstreamFault(status: number, extra: { code?: string; headers?: Record<string, string> } = {}): void {
  mockOpenAI(server, {
    baseUrl: OPENAI,
    status,
    error: { message: `Incorrect API key provided: ${canary}.`, ...(extra.code === undefined ? {} : { code: extra.code }) },
    headers: { 'x-request-id': canary, 'openai-organization': canary, ...extra.headers },
  });
}

/** A stream from the emulated OpenAI: `body` as the SSE text after one good delta. */
function upstreamStream(body: string): void {
  const delta = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] };
  server.use(
    http.post(`${OPENAI}/chat/completions`, () => new HttpResponse(`data: ${JSON.stringify(delta)}\n\n${body}`, { headers: { 'Content-Type': 'text/event-stream' } })),
  );
}

function chatHandlers(options: Partial<ChatHandlersOptions> = {}) {
  return createChatHandlers({ model: 'gpt-4o-mini', maxRetries: 0, ...options });
}

/** Both chat endpoints with the same request body. */
async function both(handlers: ReturnType<typeof chatHandlers>, body: unknown = userTurn(), headers: Record<string, string> = {}): Promise<Response[]> {
  return [await handlers.chat(post(CHAT_URL, body, { headers })), await handlers.stream(post(STREAM_URL, body, { headers }))];
}

type Case = [name: string, run: () => Promise<Response[]>];

const chatCases: Case[] = [
  ['a body not declared as JSON', async () => {
    const { chat, stream } = chatHandlers();
    const init = { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(userTurn()) };
    return [await chat(new Request(CHAT_URL, init)), await stream(new Request(STREAM_URL, init))];
  }],
  ['invalid JSON', () => both(chatHandlers(), '{"messages": [')],
  ['a refused field', () => both(chatHandlers(), { ...userTurn(), model: 'gpt-4o' })],
  ['a message over maxInputLength', () => both(chatHandlers({ maxInputLength: 5 }), userTurn('far too long'))],
  ['a body over maxBodyBytes', () => both(chatHandlers({ maxBodyBytes: 64 }), userTurn('x'.repeat(200)))],
  ['the rate limit', async () => {
    mockOpenAI(server, { baseUrl: OPENAI });
    const handlers = chatHandlers({ rateLimit: { maxRequests: 1, intervalMs: 60_000 } });
    await (await handlers.chat(post(CHAT_URL, userTurn()))).text();
    return both(handlers);
  }],
  ['a rate-limit store that throws', () =>
    both(chatHandlers({ rateLimit: { maxRequests: 1, intervalMs: 1000, store: { hit: () => Promise.reject(poisoned()) } } }))],
  ['a rate-limit key function that throws', () =>
    both(chatHandlers({ rateLimit: { maxRequests: 1, intervalMs: 1000, key: () => { throw poisoned(); } } }))],
  ['a preflight from another origin', async () => {
    const { options } = chatHandlers({ cors: { origins: ['https://app.example'] } });
    return [await options(new Request(CHAT_URL, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } }))];
  }],
  ['no API key configured', () => {
    vi.stubEnv('OPENAI_API_KEY', undefined);
    return both(chatHandlers());
  }],
  ['an injected client that throws', () => both(chatHandlers({ openai: throwingClient() }))],
  ...[400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504].map((status): Case => [
    `OpenAI answering ${status} with the key in its body and headers`,
    () => {
      upstreamFault(status, status === 429 ? { headers: { 'retry-after': '2' } } : {});
      return both(chatHandlers());
    },
  ]),
  ['OpenAI answering 400 context_length_exceeded', () => {
    upstreamFault(400, { code: 'context_length_exceeded' });
    return both(chatHandlers());
  }],
  ['OpenAI answering 429 insufficient_quota', () => {
    upstreamFault(429, { code: 'insufficient_quota' });
    return both(chatHandlers());
  }],
  ['OpenAI unreachable', () => {
    server.use(http.post(`${OPENAI}/chat/completions`, () => HttpResponse.error()));
    return both(chatHandlers());
  }],
  ['OpenAI slower than timeoutMs', () => {
    mockOpenAI(server, { baseUrl: OPENAI, firstByteDelayMs: 'infinite' });
    return both(chatHandlers({ timeoutMs: 100, heartbeatMs: 5_000 }));
  }],
  ['a stream timing out after its 200', async () => {
    mockOpenAI(server, { baseUrl: OPENAI, chunkIntervalMs: 100, reply: 'one two three four five' });
    return [await chatHandlers({ timeoutMs: 150, heartbeatMs: 50 }).stream(post(STREAM_URL, userTurn()))];
  }],
  ['a stream cut mid-answer', async () => {
    mockOpenAI(server, { baseUrl: OPENAI, cutAfterChunks: 2 });
    return [await chatHandlers().stream(post(STREAM_URL, userTurn()))];
  }],
  ['a stream ending without a finish reason', async () => {
    mockOpenAI(server, { baseUrl: OPENAI, endWithoutFinishReason: true });
    return [await chatHandlers().stream(post(STREAM_URL, userTurn()))];
  }],
  ['a malformed chunk holding the key', async () => {
    upstreamStream(`data: {"choices": [${canary}\n\n`);
    return [await chatHandlers().stream(post(STREAM_URL, userTurn()))];
  }],
  ['an error frame holding the key', async () => {
    upstreamStream(`data: ${JSON.stringify({ error: { message: `key ${canary} revoked`, type: 'server_error', code: null } })}\n\n`);
    return [await chatHandlers().stream(post(STREAM_URL, userTurn()))];
  }],
];

/** History handlers on a memory store, where `X-User` is the signed-in user. */
function historyHandlers(options: Partial<HistoryHandlersOptions> = {}): HistoryRouteHandlers {
  return createHistoryHandlers({
    model: 'gpt-4o-mini',
    maxRetries: 0,
    store: createMemoryConversationStore(),
    authorize: (request) => request.headers.get('x-user'),
    ...options,
  });
}

/** One history request as `alice` (unless `user` says otherwise); a body is sent as JSON. */
function historyCall(
  handlers: HistoryRouteHandlers,
  method: string,
  path: string,
  init: { body?: unknown; user?: string | null; accept?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.user !== null) headers.set('X-User', init.user ?? 'alice');
  if (init.accept !== undefined) headers.set('Accept', init.accept);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  const body = init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) };
  return handlers.handle(new Request(`${HISTORY}${path}`, { method, headers, ...body }));
}

/** A handler set with Alice's conversation `c1` already created. */
async function withConversation(options: Partial<HistoryHandlersOptions> = {}): Promise<HistoryRouteHandlers> {
  const handlers = historyHandlers(options);
  expect((await historyCall(handlers, 'POST', '', { body: { id: 'c1' } })).status).toBe(201);
  return handlers;
}

const send = (id: string, text = 'Hi') => ({ message: { id, role: 'user', parts: [{ type: 'text', text }] } });

/** A send as JSON and as SSE. */
async function sendBoth(handlers: HistoryRouteHandlers, id: string, text?: string): Promise<Response[]> {
  return [
    await historyCall(handlers, 'POST', '/c1/messages', { body: send(id, text), accept: 'application/json' }),
    await historyCall(handlers, 'POST', '/c1/messages', { body: send(`${id}-sse`, text), accept: 'text/event-stream' }),
  ];
}

/** A memory store whose `method` throws `poisoned()`. */
function brokenStore(method: keyof ConversationStore): ConversationStore {
  const store = createMemoryConversationStore();
  return { ...store, [method]: () => Promise.reject(poisoned()) };
}

const historyCases: Case[] = [
  ['nobody signed in', async () => [await historyCall(historyHandlers(), 'GET', '', { user: null })]],
  ['authorize refusing with a ChatError', async () => {
    const handlers = historyHandlers({ authorize: () => { throw new ChatError('forbidden', 'No history on this plan.', { status: 403 }); } });
    return [await historyCall(handlers, 'GET', '')];
  }],
  ['authorize throwing', async () => [await historyCall(historyHandlers({ authorize: () => { throw poisoned(); } }), 'GET', '')]],
  ['an unknown endpoint', async () => [await historyCall(historyHandlers(), 'GET', '/c1/nothing/here')]],
  ['another user’s conversation', async () => [await historyCall(await withConversation(), 'GET', '/c1', { user: 'mallory' })]],
  ['a method the endpoint does not answer', async () => [await historyCall(historyHandlers(), 'PUT', '')]],
  ['a cross-site write', async () => [await historyCall(historyHandlers(), 'POST', '', { body: { id: 'c2' }, headers: { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' } })]],
  ['a preflight from another origin', async () => [
    await historyHandlers().handle(new Request(HISTORY, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } })),
  ]],
  ['an invalid create body', async () => [await historyCall(historyHandlers(), 'POST', '', { body: { id: 7 } })]],
  ['an invalid rename body', async () => [await historyCall(await withConversation(), 'PATCH', '/c1', { body: { name: 'x' } })]],
  ['an invalid page limit and cursor', async () => [
    await historyCall(historyHandlers(), 'GET', '?limit=-1'),
    await historyCall(historyHandlers(), 'GET', `?cursor=${canary}`),
  ]],
  ['an invalid send body', async () => {
    const handlers = await withConversation();
    const body = { message: { id: 'u1', role: 'assistant', content: 'Hi' } };
    return [
      await historyCall(handlers, 'POST', '/c1/messages', { body, accept: 'application/json' }),
      await historyCall(handlers, 'POST', '/c1/messages', { body, accept: 'text/event-stream' }),
    ];
  }],
  ['a body over maxBodyBytes', async () => sendBoth(await withConversation({ maxBodyBytes: 64 }), 'u1', 'x'.repeat(200))],
  ['a message id reused with other content (409)', async () => {
    mockOpenAI(server, { baseUrl: OPENAI });
    const handlers = await withConversation();
    await (await historyCall(handlers, 'POST', '/c1/messages', { body: send('u1', 'First'), accept: 'application/json' })).text();
    return [await historyCall(handlers, 'POST', '/c1/messages', { body: send('u1', 'Other'), accept: 'application/json' })];
  }],
  ['the send rate limit', async () => {
    mockOpenAI(server, { baseUrl: OPENAI });
    const handlers = await withConversation({ rateLimit: { maxRequests: 1, intervalMs: 60_000 } });
    await (await historyCall(handlers, 'POST', '/c1/messages', { body: send('u1'), accept: 'application/json' })).text();
    return sendBoth(handlers, 'u2');
  }],
  ['no API key configured', async () => {
    vi.stubEnv('OPENAI_API_KEY', undefined);
    return sendBoth(await withConversation(), 'u1');
  }],
  ['an injected client that throws', async () => sendBoth(await withConversation({ openai: throwingClient() }), 'u1')],
  ['OpenAI answering 401 with the key', async () => {
    upstreamFault(401);
    return sendBoth(await withConversation(), 'u1');
  }],
  ['OpenAI answering 500', async () => {
    upstreamFault(500);
    return sendBoth(await withConversation(), 'u1');
  }],
  ['OpenAI unreachable', async () => {
    server.use(http.post(`${OPENAI}/chat/completions`, () => HttpResponse.error()));
    return sendBoth(await withConversation(), 'u1');
  }],
  ['a stream cut mid-answer', async () => {
    mockOpenAI(server, { baseUrl: OPENAI, cutAfterChunks: 2 });
    return [await historyCall(await withConversation(), 'POST', '/c1/messages', { body: send('u1'), accept: 'text/event-stream' })];
  }],
  ['a store that throws on read', async () => [await historyCall(historyHandlers({ store: brokenStore('listConversations') }), 'GET', '')]],
  ['a store that throws on create', async () => [await historyCall(historyHandlers({ store: brokenStore('createConversation') }), 'POST', '', { body: { id: 'c1' } })]],
  ['a store that throws while an answer streams', async () => {
    mockOpenAI(server, { baseUrl: OPENAI });
    const store = brokenStore('upsertAssistantMessage');
    const handlers = historyHandlers({ store });
    await (await historyCall(handlers, 'POST', '', { body: { id: 'c1' } })).text();
    return [await historyCall(handlers, 'POST', '/c1/messages', { body: send('u1'), accept: 'text/event-stream' })];
  }],
];

describe('error answers never carry the API key or a stack trace', () => {
  describe('chat handlers', () => {
    it.each(chatCases)('%s', async (_name, run) => {
      for (const response of await run()) expect(leaksIn(await errorAnswer(response))).toEqual([]);
    });
  });

  describe('history handlers', () => {
    it.each(historyCases)('%s', async (_name, run) => {
      for (const response of await run()) expect(leaksIn(await errorAnswer(response))).toEqual([]);
    });
  });

  describe('negative control: the same checks catch a handler that leaks', () => {
    it('finds the key and the stack in a naive error answer', async () => {
      const error = poisoned();
      const naive = Response.json({ error: { code: 'server_error', message: `${error.message}\n${String(error.stack)}` } }, { status: 500 });
      expect(leaksIn(await errorAnswer(naive))).toEqual(expect.arrayContaining(['the API key', 'a key-shaped string', expect.stringMatching(/^a stack trace/)]));
    });

    it('finds a key that was only partly redacted, and an SSE error frame with extra fields', async () => {
      expect(leaksIn(`Incorrect API key provided: ${canary.slice(0, 20)}…`)).toContain('a key-shaped string');
      const frame = new Response(`event: error\ndata: ${JSON.stringify({ code: 'server_error', message: 'x', stack: 'at f (x.ts:1:2)' })}\n\n`, {
        headers: { 'Content-Type': 'text/event-stream' },
      });
      await expect(errorAnswer(frame)).rejects.toThrow();
    });
  });
});
