import { describe, expect, it } from 'vitest';
import type { ChatErrorCode, MessagePart } from '../../src/core/index.js';
import {
  DEFAULT_CONVERSATION_TITLE,
  deriveTitle,
  type ConversationStore,
  type StoredMessage,
} from '../../src/server/conversation-store.js';

/** Makes an empty store for one test (a fresh memory store, or a SQL store on truncated tables). */
export type ConversationStoreFactory = () => ConversationStore | Promise<ConversationStore>;

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
/** The `now` of a call, `seconds` after a fixed origin: stores never read the clock, so tests pick every time. */
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const iso = (seconds: number): string => at(seconds).toISOString();
const text = (value: string): MessagePart[] => [{ type: 'text', text: value, state: 'done' }];

async function expectChatError(promise: Promise<unknown>, code: ChatErrorCode): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'ChatError', code });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return JSON.parse(JSON.stringify(error));
  }
  throw new Error('expected a rejection');
}

async function allMessages(store: ConversationStore, ownerId: string, conversationId: string, limit = 100): Promise<StoredMessage[][]> {
  const pages: StoredMessage[][] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listMessages(ownerId, conversationId, { cursor, limit });
    pages.push(page.messages);
    cursor = page.nextCursor;
  } while (cursor !== null && pages.length < 1000);
  return pages;
}

async function snapshot(store: ConversationStore, ownerId: string, conversationId: string) {
  return {
    conversation: await store.getConversation(ownerId, conversationId),
    messages: (await allMessages(store, ownerId, conversationId)).flat(),
    list: await store.listConversations(ownerId),
  };
}

/** Adds `turns` user/assistant pairs (`u1`, `a1`, `u2`…), one second apart from `start`. */
async function addTurns(store: ConversationStore, ownerId: string, conversationId: string, turns: number, start = 1): Promise<void> {
  for (let i = 1; i <= turns; i++) {
    await store.insertUserMessage(ownerId, conversationId, { id: `u${i}`, parts: text(`question ${i}`) }, at(start + 2 * i));
    await store.upsertAssistantMessage(
      ownerId,
      conversationId,
      { id: `a${i}`, parentId: `u${i}`, parts: text(`answer ${i}`), status: 'complete' },
      at(start + 2 * i + 1),
    );
  }
}

/**
 * The behaviour every {@link ConversationStore} must have, run against each backend so they cannot drift.
 * @see docs/protocol.md, "History endpoints"
 */
export function describeConversationStore(name: string, factory: ConversationStoreFactory): void {
  describe(`ConversationStore contract: ${name}`, () => {
    describe('conversations', () => {
      it('creates, gets and lists a conversation with the default title and the given time', async () => {
        const store = await factory();
        const { conversation, created } = await store.createConversation('alice', { now: at(0) });
        expect(created).toBe(true);
        expect(conversation).toEqual({ id: expect.any(String), title: DEFAULT_CONVERSATION_TITLE, createdAt: iso(0), updatedAt: iso(0) });
        const other = await store.createConversation('alice', { now: at(0) });
        expect(other.conversation.id).not.toBe(conversation.id);
        expect(await store.getConversation('alice', conversation.id)).toEqual(conversation);
        expect(await store.getConversation('alice', 'missing')).toBeNull();
        const { conversations, nextCursor } = await store.listConversations('alice');
        expect(conversations.map((c) => c.id).sort()).toEqual([conversation.id, other.conversation.id].sort());
        expect(nextCursor).toBeNull();
      });

      it('create is idempotent per owner: the stored conversation comes back unchanged', async () => {
        const store = await factory();
        const first = await store.createConversation('alice', { id: 'c1', title: '  Trip plans ', now: at(0) });
        expect(first).toEqual({ created: true, conversation: { id: 'c1', title: 'Trip plans', createdAt: iso(0), updatedAt: iso(0) } });
        const again = await store.createConversation('alice', { id: 'c1', title: 'Other', now: at(9) });
        expect(again).toEqual({ created: false, conversation: first.conversation });
        expect((await store.listConversations('alice')).conversations).toHaveLength(1);
      });

      it('refuses ids and titles that cannot be stored', async () => {
        const store = await factory();
        await expectChatError(store.createConversation('alice', { id: '', now: at(0) }), 'invalid_input');
        await expectChatError(store.createConversation('alice', { id: 'x'.repeat(257), now: at(0) }), 'invalid_input');
        await expectChatError(store.createConversation('alice', { id: 'nul\u0000', now: at(0) }), 'invalid_input');
        await expectChatError(store.createConversation('alice', { id: 'lone\uD800', now: at(0) }), 'invalid_input');
        await expectChatError(store.createConversation('alice', { title: '   ', now: at(0) }), 'invalid_input');
        await expectChatError(store.createConversation('alice', { title: 'x'.repeat(201), now: at(0) }), 'invalid_input');
        await expect(store.createConversation('', { now: at(0) })).rejects.toBeInstanceOf(TypeError);
        await expect(store.createConversation('alice', { now: new Date(Number.NaN) })).rejects.toBeInstanceOf(TypeError);
        expect((await store.listConversations('alice')).conversations).toEqual([]);
        const emoji = await store.createConversation('alice', { id: 'c-😀', title: '😀'.repeat(200), now: at(0) });
        expect(await store.getConversation('alice', 'c-😀')).toEqual(emoji.conversation);
      });

      it('renames: trimmed, 1–200 characters, bumps updatedAt but never moves it backwards', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(10) });
        expect(await store.renameConversation('alice', 'c1', '  Holiday  ', at(20))).toEqual({
          id: 'c1',
          title: 'Holiday',
          createdAt: iso(10),
          updatedAt: iso(20),
        });
        expect((await store.renameConversation('alice', 'c1', 'Earlier', at(15))).updatedAt).toBe(iso(20));
        await expectChatError(store.renameConversation('alice', 'c1', ' ', at(30)), 'invalid_input');
        await expectChatError(store.renameConversation('alice', 'c1', 'x'.repeat(201), at(30)), 'invalid_input');
        await expectChatError(store.renameConversation('alice', 'missing', 'Title', at(30)), 'not_found');
        expect((await store.getConversation('alice', 'c1'))?.title).toBe('Earlier');
      });

      it('deletes a conversation with its messages; a second delete is false', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(0) });
        await store.createConversation('alice', { id: 'c2', now: at(0) });
        await addTurns(store, 'alice', 'c1', 2);
        await addTurns(store, 'alice', 'c2', 1);
        expect(await store.deleteConversation('alice', 'c1')).toBe(true);
        expect(await store.deleteConversation('alice', 'c1')).toBe(false);
        expect(await store.getConversation('alice', 'c1')).toBeNull();
        await expectChatError(store.listMessages('alice', 'c1'), 'not_found');
        // Re-creating the id finds nothing of the old messages: the same ids are free again.
        expect((await store.createConversation('alice', { id: 'c1', now: at(50) })).created).toBe(true);
        expect((await store.listMessages('alice', 'c1')).messages).toEqual([]);
        expect(await store.getMessage('alice', 'c1', 'u1')).toBeNull();
        expect((await store.insertUserMessage('alice', 'c1', { id: 'u1', parts: text('new start') }, at(51))).status).toBe('inserted');
        expect((await store.listMessages('alice', 'c2')).messages.map((m) => m.id)).toEqual(['u1', 'a1']);
      });
    });

    describe('listing conversations', () => {
      it('orders newest updatedAt first, ties by id descending (code point order), paging with no gaps', async () => {
        const store = await factory();
        // Ties include 'B' < 'a' (code points, not a locale's a < B) and an astral character above U+FFFD.
        const seeds: [string, number][] = [['a', 2], ['B', 2], ['c', 2], ['\uFFFD', 2], ['😀', 2], ['old', 1], ['new', 5], ['mid', 3]];
        for (const [id, seconds] of seeds) await store.createConversation('alice', { id, now: at(seconds) });
        const expected = ['new', 'mid', '😀', '\uFFFD', 'c', 'a', 'B', 'old'];
        const seen: string[] = [];
        let cursor: string | null = null;
        const sizes: number[] = [];
        do {
          const page = await store.listConversations('alice', { cursor, limit: 3 });
          sizes.push(page.conversations.length);
          seen.push(...page.conversations.map((c) => c.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(seen).toEqual(expected);
        expect(sizes).toEqual([3, 3, 2]);
        // A new message moves its conversation to the top.
        await store.insertUserMessage('alice', 'old', { id: 'u1', parts: text('back again') }, at(9));
        const top = (await store.listConversations('alice', { limit: 2 })).conversations;
        expect(top.map((c) => [c.id, c.updatedAt])).toEqual([['old', iso(9)], ['new', iso(5)]]);
      });

      it('pages 50 by default and exactly divides without an empty last page', async () => {
        const store = await factory();
        for (let i = 0; i < 51; i++) await store.createConversation('alice', { id: `c${String(i).padStart(2, '0')}`, now: at(i) });
        const first = await store.listConversations('alice');
        expect(first.conversations).toHaveLength(50);
        expect(first.conversations[0]?.id).toBe('c50');
        const second = await store.listConversations('alice', { cursor: first.nextCursor });
        expect(second).toEqual({ conversations: [expect.objectContaining({ id: 'c00' })], nextCursor: null });
        const exact = await store.listConversations('alice', { limit: 51 });
        expect(exact.conversations).toHaveLength(51);
        expect(exact.nextCursor).toBeNull();
      });
    });

    describe('listing messages', () => {
      it('pages backwards: newest page first, each page oldest first, no gaps, no duplicates, then null', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(0) });
        await addTurns(store, 'alice', 'c1', 125);
        const first = await store.listMessages('alice', 'c1');
        expect(first.messages).toHaveLength(100);
        expect(first.messages[0]?.id).toBe('u76');
        expect(first.messages.at(-1)?.id).toBe('a125');
        const pages = await allMessages(store, 'alice', 'c1', 100);
        expect(pages.map((page) => page.length)).toEqual([100, 100, 50]);
        expect(pages[0]).toEqual(first.messages);
        const ids = pages.toReversed().flat().map((m) => m.id);
        expect(ids).toEqual(Array.from({ length: 125 }, (_, i) => [`u${i + 1}`, `a${i + 1}`]).flat());
        const last = await store.listMessages('alice', 'c1', { cursor: (await store.listMessages('alice', 'c1', { limit: 200 })).nextCursor, limit: 200 });
        expect(last.messages.map((m) => m.id)).toEqual(ids.slice(0, 50));
        expect(last.nextCursor).toBeNull();
      });

      it('keeps insertion order when timestamps tie, and an empty conversation has one empty page', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(0) });
        expect(await store.listMessages('alice', 'c1')).toEqual({ messages: [], nextCursor: null });
        for (const id of ['z', 'y', 'x', 'w']) await store.insertUserMessage('alice', 'c1', { id, parts: text(id) }, at(1));
        const page = await store.listMessages('alice', 'c1', { limit: 3 });
        expect(page.messages.map((m) => m.id)).toEqual(['y', 'x', 'w']);
        expect((await store.listMessages('alice', 'c1', { limit: 3, cursor: page.nextCursor })).messages.map((m) => m.id)).toEqual(['z']);
      });

      it('refuses unreadable cursors and limits with invalid_input', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(0) });
        await store.createConversation('alice', { id: 'c2', now: at(1) });
        await addTurns(store, 'alice', 'c1', 2);
        const conversationCursor = (await store.listConversations('alice', { limit: 1 })).nextCursor;
        const messageCursor = (await store.listMessages('alice', 'c1', { limit: 1 })).nextCursor;
        const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '');
        const bad = ['not a cursor!', 'bm90IGpzb24', '%%%', encode(['c', 'yesterday', 'c1']), encode(['m', '0']), encode(['m', '-1']), encode(['m', 5]), encode(['m', '1'.repeat(30)]), encode({ seq: 1 })];
        for (const cursor of [...bad, messageCursor]) await expectChatError(store.listConversations('alice', { cursor }), 'invalid_input');
        for (const cursor of [...bad, conversationCursor]) await expectChatError(store.listMessages('alice', 'c1', { cursor }), 'invalid_input');
        for (const limit of [0, -1, 201, 2.5, Number.NaN]) {
          await expectChatError(store.listConversations('alice', { limit }), 'invalid_input');
          await expectChatError(store.listMessages('alice', 'c1', { limit }), 'invalid_input');
        }
        expect((await store.listConversations('alice', { cursor: '', limit: 200 })).conversations).toHaveLength(2);
      });
    });

    describe('user messages', () => {
      it('stores a user message with the given time, bumps updatedAt and titles the conversation once', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(0) });
        const result = await store.insertUserMessage('alice', 'c1', { id: 'u1', role: 'user', parts: text('  What is\n\n  SSE?  ') }, at(5));
        expect(result).toEqual({
          status: 'inserted',
          message: { id: 'u1', parentId: null, role: 'user', parts: text('  What is\n\n  SSE?  '), createdAt: iso(5), status: 'complete' },
        });
        expect(await store.getConversation('alice', 'c1')).toEqual({ id: 'c1', title: 'What is SSE?', createdAt: iso(0), updatedAt: iso(5) });
        await store.insertUserMessage('alice', 'c1', { id: 'u2', parts: text('Another question') }, at(6));
        expect((await store.getConversation('alice', 'c1'))?.title).toBe('What is SSE?');
        expect(await store.getMessage('alice', 'c1', 'u1')).toEqual(result.message);
        expect(await store.getMessage('alice', 'c1', 'nope')).toBeNull();
        await expectChatError(store.insertUserMessage('alice', 'c1', { id: 'u3', role: 'assistant', parts: text('x') }, at(7)), 'invalid_input');
        await expectChatError(store.insertUserMessage('alice', 'missing', { id: 'u1', parts: text('x') }, at(7)), 'not_found');
      });

      it('derives long titles, keeps given or renamed titles, and waits for a message with text', async () => {
        const store = await factory();
        const long = 'Please explain how server-sent events differ from WebSockets when behind a corporate proxy';
        await store.createConversation('alice', { id: 'derived', now: at(0) });
        await store.insertUserMessage('alice', 'derived', { id: 'u1', parts: text(long) }, at(1));
        expect((await store.getConversation('alice', 'derived'))?.title).toBe(deriveTitle(long));
        await store.createConversation('alice', { id: 'given', title: 'Mine', now: at(0) });
        await store.insertUserMessage('alice', 'given', { id: 'u1', parts: text('Hello') }, at(1));
        expect((await store.getConversation('alice', 'given'))?.title).toBe('Mine');
        await store.createConversation('alice', { id: 'renamed', now: at(0) });
        await store.renameConversation('alice', 'renamed', 'Chosen', at(1));
        await store.insertUserMessage('alice', 'renamed', { id: 'u1', parts: text('Hello') }, at(2));
        expect((await store.getConversation('alice', 'renamed'))?.title).toBe('Chosen');
        await store.createConversation('alice', { id: 'later', now: at(0) });
        await store.insertUserMessage('alice', 'later', { id: 'u1', parts: [{ type: 'image', url: 'https://x.test/a.png' }] }, at(1));
        expect((await store.getConversation('alice', 'later'))?.title).toBe(DEFAULT_CONVERSATION_TITLE);
        await store.insertUserMessage('alice', 'later', { id: 'u2', parts: text('Now with words') }, at(2));
        expect((await store.getConversation('alice', 'later'))?.title).toBe('Now with words');
      });

      it('is idempotent: the same id and content is a duplicate (one row, answer attached), other content a conflict', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(0) });
        const inserted = await store.insertUserMessage('alice', 'c1', { id: 'u1', parts: text('Hello') }, at(1));
        const retry = await store.insertUserMessage('alice', 'c1', { id: 'u1', parts: [{ state: 'done', text: 'Hello', type: 'text' }] }, at(2));
        expect(retry).toEqual({ status: 'duplicate', message: inserted.message, answer: null });
        expect((await store.getConversation('alice', 'c1'))?.updatedAt).toBe(iso(1));
        await store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'u1', parts: text('Hi!'), status: 'complete', finishReason: 'stop' }, at(3));
        const replay = await store.insertUserMessage('alice', 'c1', { id: 'u1', parts: text('Hello') }, at(4));
        expect(replay).toMatchObject({ status: 'duplicate', answer: { id: 'a1', status: 'complete', parts: text('Hi!'), finishReason: 'stop' } });
        await expectChatError(store.insertUserMessage('alice', 'c1', { id: 'u1', parts: text('Hello!') }, at(5)), 'conflict');
        await expectChatError(store.insertUserMessage('alice', 'c1', { id: 'a1', parts: text('Hi!') }, at(5)), 'conflict');
        expect((await store.listMessages('alice', 'c1')).messages.map((m) => [m.id, m.parts])).toEqual([['u1', text('Hello')], ['a1', text('Hi!')]]);
      });

      it('stores one row when the same message is sent concurrently', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(0) });
        const results = await Promise.all(Array.from({ length: 4 }, () => store.insertUserMessage('alice', 'c1', { id: 'u1', parts: text('Hi') }, at(1))));
        expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'inserted']);
        const created = await Promise.all([0, 1, 2].map(() => store.createConversation('alice', { id: 'c2', now: at(2) })));
        expect(created.map((r) => r.created).sort()).toEqual([false, false, true]);
        await Promise.all(['x', 'y', 'z'].map((id) => store.insertUserMessage('alice', 'c1', { id, parts: text(id) }, at(3))));
        expect((await store.listMessages('alice', 'c1')).messages.map((m) => m.id).sort()).toEqual(['u1', 'x', 'y', 'z']);
      });

      it('round-trips unknown part types untouched and keeps the parentId tree', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(0) });
        const parts: MessagePart[] = [
          { type: 'text', text: 'See the chart 📈', state: 'done' },
          { type: 'x-chart', data: { series: [1, 2.5, -3, 0], labels: ['a', 'ü'], nested: { deep: [{ k: null }, []] } }, 'odd key': '✓' },
          { type: 'future-part', flag: false, count: 0, empty: {}, quote: "it's \"quoted\" \\ here" },
        ];
        const u1 = await store.insertUserMessage('alice', 'c1', { id: 'u1', parts }, at(1));
        expect(u1.message.parts).toEqual(parts);
        await store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'u1', parts: [...parts].reverse(), status: 'complete' }, at(2));
        const u2 = await store.insertUserMessage('alice', 'c1', { id: 'u2', parts: text('default parent') }, at(3));
        const branch = await store.insertUserMessage('alice', 'c1', { id: 'u3', parts: text('edit of u1'), parentId: null }, at(4));
        const reply = await store.insertUserMessage('alice', 'c1', { id: 'u4', parts: text('reply to u1'), parentId: 'u1' }, at(5));
        expect([u2.message.parentId, branch.message.parentId, reply.message.parentId]).toEqual(['a1', null, 'u1']);
        await expectChatError(store.insertUserMessage('alice', 'c1', { id: 'u5', parts: text('x'), parentId: 'nope' }, at(6)), 'invalid_input');
        await expectChatError(store.insertUserMessage('alice', 'c1', { id: 'u6', parts: text('x'), parentId: 'u6' }, at(6)), 'invalid_input');
        const stored = (await store.listMessages('alice', 'c1')).messages;
        expect(stored.map((m) => [m.id, m.parentId])).toEqual([['u1', null], ['a1', 'u1'], ['u2', 'a1'], ['u3', null], ['u4', 'u1']]);
        expect(stored[0]?.parts).toEqual(parts);
        expect(stored[1]?.parts).toEqual([...parts].reverse());
        expect((await store.findAnswer('alice', 'c1', 'u1'))?.id).toBe('a1');
        expect(await store.findAnswer('alice', 'c1', 'u2')).toBeNull();
        // Returned objects are copies: changing one does not change the store.
        (stored[0]?.parts[0] as { text: string }).text = 'mutated';
        expect((await store.getMessage('alice', 'c1', 'u1'))?.parts).toEqual(parts);
      });

      it('refuses parts that are not a list of typed objects or hold text PostgreSQL cannot store', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(0) });
        const bad: unknown[] = ['text', [{ text: 'no type' }], [null], text('nul \u0000 char'), [{ type: 'x', ['k\u0000']: 1 }], text('lone \uDC00')];
        for (const parts of bad) {
          await expectChatError(store.insertUserMessage('alice', 'c1', { id: 'u1', parts: parts as MessagePart[] }, at(1)), 'invalid_input');
        }
        expect((await store.listMessages('alice', 'c1')).messages).toEqual([]);
      });
    });

    describe('assistant messages', () => {
      it('upserts in place as the answer streams: one user row and one assistant row after retries', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(0) });
        await store.insertUserMessage('alice', 'c1', { id: 'u1', parts: text('Hi') }, at(1));
        await store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'u1', parts: text('Hel'), status: 'streaming' }, at(2));
        await store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'u1', parts: text('Hello'), status: 'error' }, at(3));
        // The retry: same user message (a duplicate), the answer regenerated in place.
        expect((await store.insertUserMessage('alice', 'c1', { id: 'u1', parts: text('Hi') }, at(4))).status).toBe('duplicate');
        await store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'u1', parts: text('Hi'), status: 'streaming' }, at(5));
        const usage = { promptTokens: 3, completionTokens: 4, totalTokens: 7 };
        const done = await store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'u1', parts: text('Hi there'), status: 'complete', usage, finishReason: 'length' }, at(6));
        expect(done).toEqual({ id: 'a1', parentId: 'u1', role: 'assistant', parts: text('Hi there'), createdAt: iso(2), status: 'complete', usage, finishReason: 'length' });
        const messages = (await store.listMessages('alice', 'c1')).messages;
        expect(messages.map((m) => [m.id, m.role])).toEqual([['u1', 'user'], ['a1', 'assistant']]);
        expect(messages[1]).toEqual(done);
        expect((await store.getConversation('alice', 'c1'))?.updatedAt).toBe(iso(6));
        // A later rewrite without usage or finish reason drops them: each write is the whole answer.
        const again = await store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'u1', parts: text('Hi'), status: 'streaming' }, at(7));
        expect(again).not.toHaveProperty('usage');
        expect(again).not.toHaveProperty('finishReason');
      });

      it('refuses a user message id, an unknown parent and a bad status', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(0) });
        await store.insertUserMessage('alice', 'c1', { id: 'u1', parts: text('Hi') }, at(1));
        await expectChatError(store.upsertAssistantMessage('alice', 'c1', { id: 'u1', parentId: 'u1', parts: text('x'), status: 'complete' }, at(2)), 'conflict');
        await expectChatError(store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'nope', parts: text('x'), status: 'complete' }, at(2)), 'invalid_input');
        const pending = { id: 'a1', parentId: 'u1', parts: text('x'), status: 'pending' } as unknown as Parameters<ConversationStore['upsertAssistantMessage']>[2];
        await expectChatError(store.upsertAssistantMessage('alice', 'c1', pending, at(2)), 'invalid_input');
        await expectChatError(store.upsertAssistantMessage('alice', 'missing', { id: 'a1', parentId: null, parts: [], status: 'streaming' }, at(2)), 'not_found');
        expect((await store.listMessages('alice', 'c1')).messages.map((m) => m.id)).toEqual(['u1']);
      });

      it('cancels a streaming answer; a later error keeps it cancelled, a regeneration does not', async () => {
        const store = await factory();
        await store.createConversation('alice', { id: 'c1', now: at(0) });
        await store.insertUserMessage('alice', 'c1', { id: 'u1', parts: text('Hi') }, at(1));
        await store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'u1', parts: text('Par'), status: 'streaming' }, at(2));
        expect(await store.cancelAnswer('alice', 'c1', 'a1')).toMatchObject({ status: 'cancelled', parts: text('Par') });
        const afterDisconnect = await store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'u1', parts: text('Part'), status: 'error' }, at(3));
        expect(afterDisconnect).toMatchObject({ status: 'cancelled', parts: text('Part') });
        expect(await store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'u1', parts: [], status: 'streaming' }, at(4))).toMatchObject({ status: 'streaming' });
        await store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'u1', parts: text('Full'), status: 'complete' }, at(5));
        expect(await store.cancelAnswer('alice', 'c1', 'a1')).toMatchObject({ status: 'complete', parts: text('Full') });
        expect(await store.cancelAnswer('alice', 'c1', 'u1')).toMatchObject({ role: 'user', status: 'complete' });
        expect(await store.cancelAnswer('alice', 'c1', 'nope')).toBeNull();
      });
    });

    it('isolates owners: another owner’s ids behave exactly like missing ones and change nothing', async () => {
      const store = await factory();
      await store.createConversation('alice', { id: 'c1', title: 'Secret plans', now: at(0) });
      await store.insertUserMessage('alice', 'c1', { id: 'u1', parts: text('hi') }, at(1));
      await store.upsertAssistantMessage('alice', 'c1', { id: 'a1', parentId: 'u1', parts: text('hello'), status: 'streaming' }, at(2));
      const before = await snapshot(store, 'alice', 'c1');
      const attempts = (conversationId: string) => [
        store.renameConversation('mallory', conversationId, 'pwned', at(10)),
        store.listMessages('mallory', conversationId),
        store.getMessage('mallory', conversationId, 'u1'),
        store.insertUserMessage('mallory', conversationId, { id: 'u1', parts: text('hi') }, at(10)),
        store.insertUserMessage('mallory', conversationId, { id: 'u9', parts: text('injected') }, at(10)),
        store.upsertAssistantMessage('mallory', conversationId, { id: 'a1', parentId: 'u1', parts: text('evil'), status: 'complete' }, at(10)),
        store.upsertAssistantMessage('mallory', conversationId, { id: 'a9', parentId: null, parts: text('evil'), status: 'complete' }, at(10)),
        store.findAnswer('mallory', conversationId, 'u1'),
        store.cancelAnswer('mallory', conversationId, 'a1'),
      ];
      const foreign = await Promise.all(attempts('c1').map(failure));
      const missing = await Promise.all(attempts('nope').map(failure));
      expect(foreign).toEqual(missing);
      for (const error of foreign) expect(error).toMatchObject({ code: 'not_found', status: 404 });
      expect(await store.getConversation('mallory', 'c1')).toBeNull();
      expect(await store.deleteConversation('mallory', 'c1')).toBe(false);
      expect(await store.listConversations('mallory')).toEqual({ conversations: [], nextCursor: null });
      // A cursor is a position, not a capability: Alice's cursor shows Mallory nothing of Alice's.
      await store.createConversation('alice', { id: 'c0', now: at(0) });
      const aliceCursor = (await store.listConversations('alice', { limit: 1 })).nextCursor;
      expect((await store.listConversations('mallory', { cursor: aliceCursor })).conversations).toEqual([]);
      // Ids are per owner: Mallory's own 'c1' is a different, empty conversation.
      const mine = await store.createConversation('mallory', { id: 'c1', now: at(20) });
      expect(mine).toEqual({ created: true, conversation: { id: 'c1', title: DEFAULT_CONVERSATION_TITLE, createdAt: iso(20), updatedAt: iso(20) } });
      expect((await store.listMessages('mallory', 'c1')).messages).toEqual([]);
      expect((await store.insertUserMessage('mallory', 'c1', { id: 'u1', parts: text('different') }, at(21))).status).toBe('inserted');
      expect(await store.deleteConversation('mallory', 'c1')).toBe(true);
      await store.deleteConversation('alice', 'c0');
      expect(await snapshot(store, 'alice', 'c1')).toEqual(before);
    });

    it('treats SQL in ids, titles, owners and parts as plain text', async () => {
      const store = await factory();
      await store.createConversation('alice', { id: 'c1', now: at(0) });
      await store.insertUserMessage('alice', 'c1', { id: 'u1', parts: text('safe') }, at(1));
      const attacks = ["'; DROP TABLE colloquy_messages; --", "x' OR '1'='1", '" OR ""="', '1); DELETE FROM colloquy_conversations; --', '$1', '\\', "'::jsonb", '%_*'];
      for (const [i, attack] of attacks.entries()) {
        const { conversation } = await store.createConversation(attack, { id: attack, title: attack, now: at(10 + i) });
        expect(conversation).toMatchObject({ id: attack, title: attack });
        await store.insertUserMessage(attack, attack, { id: attack, parts: text(attack), parentId: null }, at(10 + i));
        await store.upsertAssistantMessage(attack, attack, { id: `${attack}-a`, parentId: attack, parts: [{ type: attack, [attack]: attack }], status: 'complete', finishReason: attack }, at(10 + i));
        expect((await store.listMessages(attack, attack)).messages.map((m) => [m.id, m.parts, m.finishReason])).toEqual([
          [attack, text(attack), undefined],
          [`${attack}-a`, [{ type: attack, [attack]: attack }], attack],
        ]);
        expect(await store.renameConversation(attack, attack, `${attack}!`, at(10 + i))).toMatchObject({ title: `${attack}!` });
        expect((await store.listConversations(attack)).conversations.map((c) => c.id)).toEqual([attack]);
        expect(await store.getConversation('alice', attack)).toBeNull();
      }
      expect((await store.listConversations('alice')).conversations.map((c) => c.id)).toEqual(['c1']);
      expect((await store.listMessages('alice', 'c1')).messages.map((m) => m.id)).toEqual(['u1']);
      for (const attack of attacks) expect(await store.deleteConversation(attack, attack)).toBe(true);
      expect((await store.listMessages('alice', 'c1')).messages).toHaveLength(1);
    });
  });
}
