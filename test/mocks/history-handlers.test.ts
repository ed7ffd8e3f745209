import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { getResponse, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createHistoryDb,
  createHistoryHandlers,
  createHistorySeed,
  LONG_CONVERSATION_ID,
  type HistoryDb,
  type HistoryHandlerOptions,
  type StoredMessage,
} from 'colloquy/mocks';

const API = 'http://localhost/api/conversations';
const REPLY = 'one two three four five six seven eight';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Installs the handlers over a fresh seeded database (or the given one) and returns it. */
function mock(options: HistoryHandlerOptions = {}): HistoryDb {
  const db = options.db ?? createHistoryDb({ now: () => new Date('2025-04-01T12:00:00.000Z') });
  server.use(...Object.values(createHistoryHandlers({ tokensPerSecond: Infinity, reply: REPLY, ...options, db })));
  return db;
}

function json(method: string, url: string, body?: unknown, accept = 'application/json'): Promise<Response> {
  return fetch(url, {
    method,
    headers: { Accept: accept, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

function user(text: string, id = 'u1', parentId?: string | null) {
  return { message: { id, role: 'user', parts: [{ type: 'text', text, state: 'done' }], ...(parentId === undefined ? {} : { parentId }) } };
}

function send(conversationId: string, body: unknown, init: { signal?: AbortSignal; accept?: string } = {}): Promise<Response> {
  return fetch(`${API}/${conversationId}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: init.accept ?? 'text/event-stream' },
    body: JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

async function frames(response: Response): Promise<EventSourceMessage[]> {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  parser.feed(await response.text());
  return events;
}

const textOf = (message: StoredMessage | undefined): string =>
  (message?.parts ?? []).map((part) => (typeof part.text === 'string' ? part.text : '')).join('');

describe('the seed', () => {
  it('is deterministic: six conversations with fixed ids and dates, one of 5,000 messages', () => {
    const seed = createHistorySeed();
    expect(createHistorySeed()).toEqual(seed);
    expect(seed).toHaveLength(6);
    expect(seed.find((item) => item.conversation.id === LONG_CONVERSATION_ID)?.messages).toHaveLength(5_000);
    expect(seed.some((item) => item.messages.some((message) => textOf(message).includes('```ts')))).toBe(true);
  });
});

describe('GET /conversations', () => {
  it('lists newest updatedAt first and pages without gaps or duplicates', async () => {
    mock();
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await json('GET', `${API}?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as { conversations: Array<{ id: string }>; nextCursor: string | null };
      expect(page.conversations.length).toBeLessThanOrEqual(4);
      ids.push(...page.conversations.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(ids).toEqual(['conv-report', 'conv-new', 'conv-generics', 'conv-sourdough', LONG_CONVERSATION_ID, 'conv-lisbon']);
  });

  it('answers 400 for an unreadable cursor or a bad limit', async () => {
    mock();
    expect((await json('GET', `${API}?cursor=nonsense`)).status).toBe(400);
    expect((await json('GET', `${API}?limit=0`)).status).toBe(400);
    expect((await json('GET', `${API}?limit=abc`)).status).toBe(400);
  });
});

describe('conversations: create, get, rename, delete', () => {
  it('creates with the client id (201), and the same id again returns the stored one (200)', async () => {
    const db = mock();
    const first = await json('POST', API, { id: 'c-1', title: '  Trip plans  ' });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ conversation: { id: 'c-1', title: 'Trip plans', createdAt: '2025-04-01T12:00:00.000Z', updatedAt: '2025-04-01T12:00:00.000Z' } });
    const again = await json('POST', API, { id: 'c-1', title: 'Other' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { conversation: { title: string } }).conversation.title).toBe('Trip plans');
    expect(db.listConversations({ limit: 200 })?.conversations.filter((item) => item.id === 'c-1')).toHaveLength(1);
  });

  it('titles an untitled conversation "New conversation" until its first message names it', async () => {
    mock();
    const created = (await (await json('POST', API, {})).json()) as { conversation: { id: string; title: string } };
    expect(created.conversation.title).toBe('New conversation');
    await (await send(created.conversation.id, user('  What   is SSE, and why would a chat app use it instead of WebSockets at all?'))).text();
    const fetched = (await (await json('GET', `${API}/${created.conversation.id}`)).json()) as { conversation: { title: string } };
    expect(fetched.conversation.title).toBe('What is SSE, and why would a chat app use it instead of…');
  });

  it('refuses a bad id or title with 400', async () => {
    mock();
    expect((await json('POST', API, { id: '' })).status).toBe(400);
    expect((await json('POST', API, { title: '   ' })).status).toBe(400);
    expect((await json('PATCH', `${API}/conv-lisbon`, { title: 'x'.repeat(201) })).status).toBe(400);
  });

  it('renames (trimmed, updatedAt bumped) and 404s unknown ids on every endpoint', async () => {
    mock();
    const renamed = (await (await json('PATCH', `${API}/conv-lisbon`, { title: ' Lisbon ' })).json()) as { conversation: { title: string; updatedAt: string } };
    expect(renamed.conversation).toMatchObject({ title: 'Lisbon', updatedAt: '2025-04-01T12:00:00.000Z' });
    for (const [method, path, body] of [
      ['GET', '/nope'],
      ['PATCH', '/nope', { title: 'x' }],
      ['DELETE', '/nope'],
      ['GET', '/nope/messages'],
      ['POST', '/nope/messages', user('Hi')],
      ['POST', '/conv-lisbon/messages/nope/stop'],
    ] as const) {
      const response = await json(method, `${API}${path}`, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('deletes with 204 and its messages go with it; a second DELETE is 404', async () => {
    const db = mock();
    expect((await json('DELETE', `${API}/conv-lisbon`)).status).toBe(204);
    expect((await json('DELETE', `${API}/conv-lisbon`)).status).toBe(404);
    expect((await json('GET', `${API}/conv-lisbon/messages`)).status).toBe(404);
    expect(db.messages('conv-lisbon')).toBeUndefined();
  });
});

describe('GET /conversations/:id/messages: pages backwards', () => {
  it('walks 5,000 messages in pages of 100, newest page first, each oldest first, no gaps or duplicates', async () => {
    mock();
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
      const page = (await (await json('GET', `${API}/${LONG_CONVERSATION_ID}/messages${query}`)).json()) as {
        messages: StoredMessage[];
        nextCursor: string | null;
      };
      pages.push(page.messages.map((message) => message.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(pages).toHaveLength(50);
    expect(pages.every((page) => page.length === 100)).toBe(true);
    expect(pages[0]?.[99]).toBe(`${LONG_CONVERSATION_ID}-5000`);
    const all = pages.reverse().flat();
    expect(all).toEqual(Array.from({ length: 5_000 }, (_, i) => `${LONG_CONVERSATION_ID}-${i + 1}`));
  });

  it('caps limit at 200 and 400s a bad cursor', async () => {
    mock();
    const page = (await (await json('GET', `${API}/${LONG_CONVERSATION_ID}/messages?limit=500`)).json()) as { messages: unknown[] };
    expect(page.messages).toHaveLength(200);
    expect((await json('GET', `${API}/${LONG_CONVERSATION_ID}/messages?cursor=%%%`)).status).toBe(400);
  });
});

describe('POST /conversations/:id/messages', () => {
  it('streams the ids frame first, then the answer, and stores both rows as streamed', async () => {
    const db = mock();
    const events = await frames(await send('conv-new', user('Hello')));
    expect(JSON.parse(events[0]!.data)).toEqual({ messageId: 'u1-reply', userMessageId: 'u1' });
    expect(events.at(-1)?.data).toBe('[DONE]');
    const streamed = events.map((event) => (event.data.startsWith('{"content"') ? (JSON.parse(event.data) as { content: string }).content : '')).join('');
    expect(streamed).toBe(REPLY);
    const rows = db.messages('conv-new')!;
    expect(rows.map((row) => [row.id, row.role, row.status, row.parentId])).toEqual([
      ['u1', 'user', 'complete', null],
      ['u1-reply', 'assistant', 'complete', 'u1'],
    ]);
    expect(rows[0]?.parts).toEqual([{ type: 'text', text: 'Hello' }]);
    expect(textOf(rows[1])).toBe(REPLY);
    expect(rows[1]).toMatchObject({ finishReason: 'stop', usage: { completionTokens: 8 } });
  });

  it('answers JSON with { message, userMessage, usage } for Accept: application/json', async () => {
    const db = mock();
    const body = (await (await send('conv-lisbon', user('Thanks!', 'u9'), { accept: 'application/json' })).json()) as Record<string, StoredMessage>;
    expect(body.userMessage).toMatchObject({ id: 'u9', parentId: 'conv-lisbon-4', status: 'complete' });
    expect(body.message).toMatchObject({ id: 'u9-reply', status: 'complete', parts: [{ type: 'text', text: REPLY }] });
    expect(body.usage).toBeDefined();
    expect(db.messages('conv-lisbon')).toHaveLength(6);
  });

  it('applies the chat validation: refused fields, roles, empty and too long messages', async () => {
    mock({ maxInputLength: 10 });
    expect((await send('conv-new', { ...user('Hi'), model: 'gpt-x' })).status).toBe(400);
    expect((await send('conv-new', { message: { id: 'a', role: 'assistant', parts: [] } })).status).toBe(400);
    expect((await send('conv-new', user('   '))).status).toBe(400);
    expect((await send('conv-new', { text: 'Hi' })).status).toBe(400);
    expect((await send('conv-new', user('x'.repeat(11)))).status).toBe(413);
  });

  it('is idempotent: the same id and content replays the stored answer, with no new row', async () => {
    const db = mock();
    await (await send('conv-new', user('Hello'))).text();
    const replayed = await frames(await send('conv-new', user('Hello')));
    expect(replayed.map((event) => event.data)).toEqual([
      JSON.stringify({ messageId: 'u1-reply', userMessageId: 'u1' }),
      JSON.stringify({ content: REPLY }),
      expect.stringContaining('"finishReason":"stop"'),
      '[DONE]',
    ]);
    expect(db.messages('conv-new')).toHaveLength(2);
  });

  it('refuses the same id with other content, or an assistant id, with 409', async () => {
    mock();
    await (await send('conv-new', user('Hello'))).text();
    const conflict = await send('conv-new', user('Hello again'));
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ error: { code: 'conflict' } });
    expect((await send('conv-new', user('Hello', 'u1-reply'))).status).toBe(409);
  });

  it('regenerates a failed answer in place: one user row, one assistant row', async () => {
    const db = mock({ fault: 'stream_cut', faultAfterTokens: 3 });
    await expect(send('conv-new', user('Hello')).then((response) => response.text())).rejects.toThrow();
    await vi.waitFor(() => expect(db.answerTo('conv-new', 'u1')?.status).toBe('error'));
    expect(textOf(db.answerTo('conv-new', 'u1'))).toBe('one two three');
    server.resetHandlers();
    mock({ db });
    await (await send('conv-new', user('Hello'))).text();
    expect(db.messages('conv-new')!.map((row) => [row.id, row.status, textOf(row)])).toEqual([
      ['u1', 'complete', 'Hello'],
      ['u1-reply', 'complete', REPLY],
    ]);
  });

  it('plays a failed save (faults.save) before storing anything', async () => {
    const db = mock({ faults: { save: 'server_error' } });
    expect((await send('conv-new', user('Hello'))).status).toBe(500);
    expect(db.messages('conv-new')).toEqual([]);
  });

  it('stores an error event or a truncated stream as the forwarded text with status error', async () => {
    for (const fault of ['error_event', 'stream_truncated'] as const) {
      server.resetHandlers();
      const db = mock({ fault, faultAfterTokens: 2 });
      await (await send('conv-new', user('Hello'))).text();
      expect(db.answerTo('conv-new', 'u1'), fault).toMatchObject({ status: 'error', parts: [{ type: 'text', text: 'one two' }] });
    }
  });
});

describe('stopping and disconnecting', () => {
  /** Reads deltas until `count` have arrived, then aborts the request; returns the answer id and the text seen. */
  async function readThenAbort(db: HistoryDb, count: number): Promise<{ answerId: string; seen: string }> {
    mock({ db, tokensPerSecond: 50 });
    const controller = new AbortController();
    const response = await send('conv-new', user('Hello'), { signal: controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const events: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    const deltas = (): string[] => events.flatMap((event) => (event.data.startsWith('{"content"') ? [(JSON.parse(event.data) as { content: string }).content] : []));
    while (deltas().length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    controller.abort();
    const ids = JSON.parse(events[0]!.data) as { messageId: string };
    return { answerId: ids.messageId, seen: deltas().join('') };
  }

  it('stop: the stored answer is exactly the forwarded text, status cancelled', async () => {
    const db = mock();
    const { answerId, seen } = await readThenAbort(db, 3);
    expect(seen).toBe('one two three');
    expect((await json('POST', `${API}/conv-new/messages/${answerId}/stop`)).status).toBe(204);
    await vi.waitFor(() => expect(db.answerTo('conv-new', 'u1')?.status).toBe('cancelled'));
    expect(textOf(db.answerTo('conv-new', 'u1'))).toBe(seen);
  });

  it('a disconnect without stop stores the forwarded text with status error; a later stop still ends cancelled', async () => {
    const db = mock();
    const { answerId, seen } = await readThenAbort(db, 2);
    await vi.waitFor(() => expect(db.answerTo('conv-new', 'u1')?.status).toBe('error'));
    expect(textOf(db.answerTo('conv-new', 'u1'))).toBe(seen);
    expect((await json('POST', `${API}/conv-new/messages/${answerId}/stop`)).status).toBe(204);
    expect(db.answerTo('conv-new', 'u1')?.status).toBe('cancelled');
  });

  it('stop after completion changes nothing (204); an unknown answer is 404', async () => {
    const db = mock();
    await (await send('conv-new', user('Hello'))).text();
    expect((await json('POST', `${API}/conv-new/messages/u1-reply/stop`)).status).toBe(204);
    expect(db.answerTo('conv-new', 'u1')?.status).toBe('complete');
    expect((await json('POST', `${API}/conv-new/messages/u1/stop`)).status).toBe(404);
  });
});

describe('a committed save whose response is lost', () => {
  it('stores everything, then the client sees a network error; the same id again replays it', async () => {
    const db = mock();
    const real = Object.values(createHistoryHandlers({ db, tokensPerSecond: Infinity, reply: REPLY }));
    server.use(
      http.post(`${API}/:id/messages`, async ({ request }) => {
        await (await getResponse(real, request))?.text();
        return HttpResponse.error();
      }, { once: true }),
    );
    await expect(send('conv-new', user('Hello'))).rejects.toThrow();
    expect(db.messages('conv-new')).toHaveLength(2);
    await (await send('conv-new', user('Hello'))).text();
    expect(db.messages('conv-new')!.map((row) => [row.id, row.status])).toEqual([
      ['u1', 'complete'],
      ['u1-reply', 'complete'],
    ]);
  });
});

describe('storage', () => {
  function memoryStorage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
    const data = new Map<string, string>();
    return { getItem: (key) => data.get(key) ?? null, setItem: (key, value) => void data.set(key, value), removeItem: (key) => void data.delete(key) };
  }

  it('persists to a Storage and restores from it; reset returns to the seed', async () => {
    const storage = memoryStorage();
    const db = mock({ db: createHistoryDb({ storage }) });
    await json('PATCH', `${API}/conv-lisbon`, { title: 'Renamed' });
    expect(createHistoryDb({ storage }).getConversation('conv-lisbon')?.title).toBe('Renamed');
    db.reset();
    expect(createHistoryDb({ storage }).getConversation('conv-lisbon')?.title).toBe('What should I see in Lisbon over a weekend?');
  });

  it('a stream cut by a reload is restored as an error, with the text saved so far', async () => {
    const storage = memoryStorage();
    const db = mock({ db: createHistoryDb({ storage }), tokensPerSecond: 20 });
    const controller = new AbortController();
    const response = await send('conv-new', user('Hello'), { signal: controller.signal });
    const reader = response.body!.getReader();
    void (async () => {
      while (!(await reader.read()).done);
    })().catch(() => undefined);
    await vi.waitFor(() => expect(textOf(db.answerTo('conv-new', 'u1'))).toBe('one two'), { timeout: 2_000 });
    // A new page load reads what the last one saved.
    await vi.waitFor(() => expect(createHistoryDb({ storage }).answerTo('conv-new', 'u1')).toMatchObject({ status: 'error' }));
    const restored = textOf(createHistoryDb({ storage }).answerTo('conv-new', 'u1'));
    expect(restored.length).toBeGreaterThan(0);
    expect(REPLY.startsWith(restored)).toBe(true);
    expect(db.answerTo('conv-new', 'u1')?.status).toBe('streaming');
    controller.abort();
  });
});
