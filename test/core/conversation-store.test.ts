import { getResponse, http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createConversationStore,
  createHistoryTransport,
  messageText,
  type ChatMessage,
  type ConversationStore,
  type ConversationStoreOptions,
} from 'colloquy/core';
import { createHistoryDb, createHistoryHandlers, LONG_CONVERSATION_ID, type HistoryDb, type HistoryHandlerOptions } from 'colloquy/mocks';
import { setupMswServer } from '../helpers/transport-harness.js';

const BASE = 'http://localhost/api';
const REPLY = 'one two three four five six seven eight';
const server = setupMswServer();
const stores: ConversationStore[] = [];
afterEach(() => stores.splice(0).forEach((store) => store.dispose()));

function mock(options: HistoryHandlerOptions = {}): HistoryDb {
  const db = options.db ?? createHistoryDb({ now: () => new Date('2025-04-01T12:00:00.000Z') });
  server.use(...Object.values(createHistoryHandlers({ tokensPerSecond: Infinity, reply: REPLY, ...options, db })));
  return db;
}

function setup(options: Partial<ConversationStoreOptions> = {}): ConversationStore {
  let n = 0;
  const store = createConversationStore({
    transport: createHistoryTransport({ baseUrl: BASE }),
    generateId: () => `id${++n}`,
    now: () => new Date('2025-05-01T00:00:00.000Z'),
    ...options,
  });
  stores.push(store);
  return store;
}

const ids = (messages: ChatMessage[]): string[] => messages.map((message) => message.id);
const rows = (db: HistoryDb, id: string): Array<[string, string, string]> =>
  (db.messages(id) ?? []).map((row) => [row.id, row.role, row.status]);
const listed = (store: ConversationStore): string[] => store.getState().list.conversations.map((item) => item.id);

describe('createConversationStore: the list', () => {
  it('loads, pages with loadMore, and follows the store contract', async () => {
    mock();
    const store = setup({ conversationPageSize: 4 });
    const initial = store.getState();
    expect(store.getInitialState()).toBe(initial);
    const loading = store.loadConversations();
    expect(store.getState().list).toMatchObject({ status: 'loading', page: 'first' });
    await loading;
    expect(store.getState()).toBe(store.getState());
    expect(listed(store)).toEqual(['conv-report', 'conv-new', 'conv-generics', 'conv-sourdough']);
    await store.loadMore();
    expect(listed(store)).toEqual(['conv-report', 'conv-new', 'conv-generics', 'conv-sourdough', LONG_CONVERSATION_ID, 'conv-lisbon']);
    expect(store.getState().list).toMatchObject({ status: 'idle', nextCursor: null });
    const before = store.getState();
    await store.loadMore();
    expect(store.getState()).toBe(before);
  });

  it('keeps what it had when a load fails, with the ChatError in the error state', async () => {
    const db = mock({ faults: { list: 'upstream_unavailable' } });
    const store = setup();
    await store.loadConversations();
    expect(store.getState().list).toMatchObject({ status: 'error', conversations: [], error: { code: 'upstream_unavailable' } });
    server.resetHandlers();
    mock({ db });
    await store.loadConversations();
    expect(store.getState().list.status).toBe('idle');
    expect(listed(store)).toHaveLength(6);
  });
});

describe('createConversationStore: create', () => {
  it('shows the conversation at once with the client id, then adopts the server copy under the same id', async () => {
    const db = mock();
    const store = setup();
    await store.loadConversations();
    const result = store.create({ title: ' Plans ' });
    if (!result.ok) throw result.error;
    expect(result.conversation).toMatchObject({ id: 'id1', title: 'Plans' });
    expect(store.getState()).toMatchObject({ selectedId: 'id1', pending: { id1: { kind: 'create', status: 'saving' } } });
    expect(listed(store)[0]).toBe('id1');
    // A reload of the list while the create is in flight neither drops nor duplicates it.
    await Promise.all([store.loadConversations(), result.done]);
    expect(await result.done).toEqual({ ok: true });
    expect(store.getState().pending).toEqual({});
    expect(listed(store).filter((id) => id === 'id1')).toHaveLength(1);
    expect(store.getState().list.conversations.find((item) => item.id === 'id1')).toEqual(db.getConversation('id1'));
  });

  it('rolls an empty conversation back when the server refuses it', async () => {
    mock({ faults: { create: 'server_error' } });
    const store = setup();
    const result = store.create();
    if (!result.ok) throw result.error;
    expect(await result.done).toMatchObject({ ok: false, error: { code: 'server_error' } });
    expect(store.getState()).toMatchObject({ selectedId: null, pending: {}, failure: { operation: 'create', conversationId: 'id1' } });
    expect(listed(store)).toEqual([]);
    expect(store.create({ title: ' ' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});

describe('createConversationStore: send', () => {
  it('with none selected, creates a conversation titled by the message, then streams into its chat', async () => {
    const db = mock();
    const store = setup();
    const result = store.send('What is a good name for a cat?');
    if (!result.ok) throw result.error;
    expect(store.getState().selectedId).toBe('id1');
    expect(store.getState().list.conversations[0]).toMatchObject({ id: 'id1', title: 'What is a good name for a cat?' });
    const chat = store.getChatStore('id1');
    expect(chat.getState().messages).toMatchObject([{ id: 'id2', role: 'user', status: 'pending' }]);
    const answer = await result.done;
    // The answer adopted the server's id: renamed, never duplicated.
    expect(answer).toMatchObject({ id: 'id2-reply', status: 'complete' });
    expect(ids(chat.getState().messages)).toEqual(['id2', 'id2-reply']);
    expect(messageText(answer!)).toBe(REPLY);
    expect(rows(db, 'id1')).toEqual([
      ['id2', 'user', 'complete'],
      ['id2-reply', 'assistant', 'complete'],
    ]);
    expect(db.getConversation('id1')?.title).toBe('What is a good name for a cat?');
    expect(store.getState().pending).toEqual({});
  });

  it('the first message waits until the server has created the conversation', async () => {
    const db = mock();
    const real = createHistoryHandlers({ db });
    server.use(
      http.post(`${BASE}/conversations`, async ({ request }) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return getResponse([real.create], request);
      }),
    );
    const store = setup();
    const result = store.send('Hello');
    if (!result.ok) throw result.error;
    expect(await result.done).toMatchObject({ id: 'id2-reply', status: 'complete' });
    expect(rows(db, 'id1')).toHaveLength(2);
  });

  it('a refused send (empty text) creates nothing', () => {
    mock();
    const store = setup();
    expect(store.send('   ')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(store.getState()).toMatchObject({ selectedId: null, list: { conversations: [] }, pending: {} });
  });

  it('keeps the text when the save fails; Retry resends the same id, and the server stores one row', async () => {
    const db = mock({ faults: { save: 'server_error' } });
    const store = setup();
    store.select('conv-new');
    const failed = store.send('Hello');
    if (!failed.ok) throw failed.error;
    await failed.done;
    const chat = store.getChatStore('conv-new');
    expect(chat.getState()).toMatchObject({ status: 'error', error: { code: 'server_error' } });
    expect(chat.getState().messages).toMatchObject([{ id: 'id1', status: 'error', parts: [{ text: 'Hello' }] }]);
    server.resetHandlers();
    mock({ db });
    const retried = store.retry();
    if (!retried.ok) throw retried.error;
    await retried.done;
    expect(ids(chat.getState().messages)).toEqual(['id1', 'id1-reply']);
    expect(rows(db, 'conv-new')).toEqual([
      ['id1', 'user', 'complete'],
      ['id1-reply', 'assistant', 'complete'],
    ]);
  });

  it('retries after a committed save whose response was lost: exactly one user row and one assistant row', async () => {
    const db = mock();
    const real = Object.values(createHistoryHandlers({ db, tokensPerSecond: Infinity, reply: REPLY }));
    server.use(
      http.post(`${BASE}/conversations/:id/messages`, async ({ request }) => {
        await (await getResponse(real, request))?.text();
        return HttpResponse.error();
      }, { once: true }),
    );
    const store = setup();
    store.select('conv-new');
    const lost = store.send('Hello');
    if (!lost.ok) throw lost.error;
    await lost.done;
    const chat = store.getChatStore('conv-new');
    expect(chat.getState()).toMatchObject({ status: 'error', error: { code: 'network' } });
    const retried = store.retry();
    if (!retried.ok) throw retried.error;
    expect(await retried.done).toMatchObject({ id: 'id1-reply', status: 'complete' });
    expect(ids(chat.getState().messages)).toEqual(['id1', 'id1-reply']);
    expect(rows(db, 'conv-new')).toEqual([
      ['id1', 'user', 'complete'],
      ['id1-reply', 'assistant', 'complete'],
    ]);
  });

  it('a failed create keeps the written message with Retry, which creates (same id) and sends', async () => {
    const db = mock({ faults: { create: 'server_error' } });
    const store = setup();
    const failed = store.send('Hello');
    if (!failed.ok) throw failed.error;
    await failed.done;
    expect(store.getState().pending).toMatchObject({ id1: { kind: 'create', status: 'failed' } });
    expect(store.getChatStore('id1').getState().messages).toMatchObject([{ id: 'id2', status: 'error' }]);
    server.resetHandlers();
    mock({ db });
    const retried = store.retry();
    if (!retried.ok) throw retried.error;
    await retried.done;
    expect(store.getState().pending).toEqual({});
    expect(rows(db, 'id1')).toEqual([
      ['id2', 'user', 'complete'],
      ['id2-reply', 'assistant', 'complete'],
    ]);
  });

  it('shares one rate limiter across conversations', () => {
    mock();
    const store = setup({ chat: { rateLimit: { maxRequests: 1, intervalMs: 60_000 } } });
    store.select('conv-new');
    expect(store.send('One').ok).toBe(true);
    store.select('conv-lisbon');
    expect(store.send('Two')).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
  });
});

describe('createConversationStore: switching and stopping during a stream', () => {
  it('tokens stay in their conversation; the other conversation is untouched', async () => {
    const db = mock({ tokensPerSecond: 50 });
    const store = setup();
    store.select('conv-lisbon');
    await vi.waitFor(() => expect(store.getState().histories['conv-lisbon']?.status).toBe('ready'));
    const sent = store.send('Another question');
    if (!sent.ok) throw sent.error;
    const lisbon = store.getChatStore('conv-lisbon');
    await vi.waitFor(() => expect(lisbon.getState().status).toBe('streaming'));
    store.select('conv-generics');
    await vi.waitFor(() => expect(store.getState().histories['conv-generics']?.status).toBe('ready'));
    const generics = store.getChatStore('conv-generics');
    const snapshot = generics.getState();
    expect(lisbon.getState().status).toBe('streaming');
    const answer = await sent.done;
    expect(generics.getState()).toBe(snapshot);
    expect(ids(snapshot.messages)).toEqual(['conv-generics-1', 'conv-generics-2', 'conv-generics-3', 'conv-generics-4']);
    expect(messageText(answer!)).toBe(REPLY);
    expect(lisbon.getState().messages.slice(-2).map((message) => [message.id, message.status])).toEqual([
      ['id1', 'complete'],
      ['id1-reply', 'complete'],
    ]);
    expect(db.messages('conv-generics')).toHaveLength(4);
  });

  it('stop cancels the selected answer; the server stores exactly the text shown, cancelled', async () => {
    const db = mock({ tokensPerSecond: 50 });
    const store = setup();
    store.select('conv-new');
    const chat = store.getChatStore('conv-new');
    const unsubscribe = chat.subscribe(() => {
      const last = chat.getState().messages.at(-1);
      if (last?.role === 'assistant' && messageText(last).split(' ').length === 3) store.stop();
    });
    const sent = store.send('Hello');
    if (!sent.ok) throw sent.error;
    const answer = await sent.done;
    unsubscribe();
    expect(answer).toMatchObject({ id: 'id1-reply', status: 'cancelled' });
    expect(messageText(answer!)).toBe('one two three');
    await vi.waitFor(() => expect(db.answerTo('conv-new', 'id1')?.status).toBe('cancelled'));
    expect(db.answerTo('conv-new', 'id1')?.parts).toEqual([{ type: 'text', text: 'one two three' }]);
  });

  it('a turn that times out (no stop call) is stored as an error', async () => {
    const db = mock({ tokensPerSecond: 20 });
    const store = setup({ chat: { timeoutMs: 120 } });
    store.select('conv-new');
    const sent = store.send('Hello');
    if (!sent.ok) throw sent.error;
    const answer = await sent.done;
    expect(store.getChatStore('conv-new').getState()).toMatchObject({ status: 'error', error: { code: 'timeout' } });
    await vi.waitFor(() => expect(db.answerTo('conv-new', 'id1')?.status).toBe('error'));
    expect(db.answerTo('conv-new', 'id1')?.parts).toEqual([{ type: 'text', text: messageText(answer!) }]);
  });
});

describe('createConversationStore: messages', () => {
  it('pages 5,000 messages backwards: loadOlder prepends in order, no gaps or duplicates', async () => {
    mock();
    const store = setup();
    store.select(LONG_CONVERSATION_ID);
    await vi.waitFor(() => expect(store.getState().histories[LONG_CONVERSATION_ID]?.status).toBe('ready'));
    const chat = store.getChatStore(LONG_CONVERSATION_ID);
    expect(chat.getState().messages).toHaveLength(100);
    expect(chat.getState().messages[0]?.id).toBe(`${LONG_CONVERSATION_ID}-4901`);
    const loading = store.loadOlder();
    expect(store.getState().histories[LONG_CONVERSATION_ID]).toMatchObject({ status: 'ready', older: { status: 'loading' } });
    await loading;
    expect(chat.getState().messages[0]?.id).toBe(`${LONG_CONVERSATION_ID}-4801`);
    for (let page = 2; page < 50; page++) await store.loadOlder();
    expect(ids(chat.getState().messages)).toEqual(Array.from({ length: 5_000 }, (_, i) => `${LONG_CONVERSATION_ID}-${i + 1}`));
    expect(store.getState().histories[LONG_CONVERSATION_ID]).toEqual({ status: 'ready', nextCursor: null, older: { status: 'idle' } });
    const before = chat.getState();
    await store.loadOlder();
    expect(chat.getState()).toBe(before);
  });

  it('merges a page that loads after a send started: the optimistic messages stay, nothing doubles', async () => {
    const db = mock();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const real = createHistoryHandlers({ db, tokensPerSecond: Infinity, reply: REPLY });
    server.use(
      http.get(`${BASE}/conversations/:id/messages`, async ({ request }) => {
        await gate;
        return getResponse([real.messages], request);
      }),
    );
    const store = setup();
    store.select('conv-lisbon');
    const sent = store.send('And in winter?');
    if (!sent.ok) throw sent.error;
    await sent.done;
    release();
    await vi.waitFor(() => expect(store.getState().histories['conv-lisbon']?.status).toBe('ready'));
    expect(ids(store.getChatStore('conv-lisbon').getState().messages)).toEqual([
      'conv-lisbon-1',
      'conv-lisbon-2',
      'conv-lisbon-3',
      'conv-lisbon-4',
      'id1',
      'id1-reply',
    ]);
  });

  it('merges a page that arrives mid-stream (holding the question and a partial answer) without touching the turn', async () => {
    const db = mock({ tokensPerSecond: 50 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const real = createHistoryHandlers({ db });
    server.use(
      http.get(`${BASE}/conversations/:id/messages`, async ({ request }) => {
        await gate;
        return getResponse([real.messages], request);
      }),
    );
    const store = setup();
    store.select('conv-lisbon');
    const sent = store.send('And in winter?');
    if (!sent.ok) throw sent.error;
    const chat = store.getChatStore('conv-lisbon');
    await vi.waitFor(() => expect(messageText(chat.getState().messages.at(-1)!).split(' ').length).toBeGreaterThan(2));
    release();
    await vi.waitFor(() => expect(store.getState().histories['conv-lisbon']?.status).toBe('ready'));
    expect(chat.getState().status).toBe('streaming');
    expect(ids(chat.getState().messages)).toEqual(['conv-lisbon-1', 'conv-lisbon-2', 'conv-lisbon-3', 'conv-lisbon-4', 'id1', 'id1-reply']);
    expect(messageText((await sent.done)!)).toBe(REPLY);
    expect(ids(chat.getState().messages)).toHaveLength(6);
  });

  it('reports a failed load, and select loads again', async () => {
    const db = mock({ faults: { messages: 'server_error' } });
    const store = setup();
    store.select('conv-lisbon');
    await vi.waitFor(() => expect(store.getState().histories['conv-lisbon']).toMatchObject({ status: 'error', error: { code: 'server_error' } }));
    server.resetHandlers();
    mock({ db });
    store.select('conv-lisbon');
    await vi.waitFor(() => expect(store.getState().histories['conv-lisbon']?.status).toBe('ready'));
    expect(store.getChatStore('conv-lisbon').getState().messages).toHaveLength(4);
  });
});

describe('createConversationStore: rename and remove', () => {
  it('renames at once, then confirms; a refused rename rolls back with a ChatError', async () => {
    const db = mock();
    const store = setup();
    await store.loadConversations();
    const renaming = store.rename('conv-lisbon', 'Lisbon');
    expect(store.getState().list.conversations[0]).toMatchObject({ id: 'conv-lisbon', title: 'Lisbon' });
    expect(await store.rename('conv-lisbon', 'Again')).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await renaming).toEqual({ ok: true });
    expect(store.getState().list.conversations.find((item) => item.id === 'conv-lisbon')).toEqual(db.getConversation('conv-lisbon'));
    server.resetHandlers();
    mock({ db, faults: { rename: 'server_error' } });
    const before = store.getState().list.conversations;
    const failing = store.rename('conv-generics', 'Generics');
    expect(store.getState().list.conversations.find((item) => item.id === 'conv-generics')?.title).toBe('Generics');
    expect(await failing).toMatchObject({ ok: false, error: { code: 'server_error' } });
    expect(store.getState().list.conversations).toEqual(before);
    expect(store.getState().failure).toMatchObject({ operation: 'rename', conversationId: 'conv-generics', error: { code: 'server_error' } });
    store.dismissFailure();
    expect(store.getState().failure).toBeNull();
  });

  it('removes at once (selecting none); a refused removal rolls back; the server 404s a second delete', async () => {
    const db = mock({ faults: { delete: 'server_error' } });
    const store = setup();
    await store.loadConversations();
    store.select('conv-lisbon');
    const before = store.getState().list.conversations;
    const failing = store.remove('conv-lisbon');
    expect(store.getState().selectedId).toBeNull();
    expect(listed(store)).not.toContain('conv-lisbon');
    expect(await failing).toMatchObject({ ok: false, error: { code: 'server_error' } });
    expect(store.getState().list.conversations).toEqual(before);
    expect(store.getState().failure).toMatchObject({ operation: 'remove', conversationId: 'conv-lisbon' });
    server.resetHandlers();
    mock({ db });
    const chat = store.getChatStore('conv-lisbon');
    expect(await store.remove('conv-lisbon')).toEqual({ ok: true });
    expect(listed(store)).not.toContain('conv-lisbon');
    expect(store.getState().histories['conv-lisbon']).toBeUndefined();
    expect(chat.send('Hi')).toMatchObject({ ok: false, error: { code: 'aborted' } });
    expect(await store.remove('conv-lisbon')).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const second = await fetch(`${BASE}/conversations/conv-lisbon`, { method: 'DELETE' });
    expect(second.status).toBe(404);
  });
});

describe('createConversationStore: dispose', () => {
  it('disposes every chat and ignores late answers', async () => {
    mock();
    const store = setup();
    const loading = store.loadConversations();
    const chat = store.getChatStore('conv-new');
    store.dispose();
    await loading;
    expect(store.getState().list.status).toBe('loading');
    expect(chat.send('Hi')).toMatchObject({ ok: false, error: { code: 'aborted' } });
    expect(store.send('Hi')).toMatchObject({ ok: false, error: { code: 'aborted' } });
  });
});
