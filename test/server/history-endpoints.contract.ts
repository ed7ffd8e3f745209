import { describe, expect, it } from 'vitest';
import { ChatError, type Conversation } from 'colloquy/core';
import type { StoredMessage } from 'colloquy/server';
import { API, call, errorOf, historyHandlers, jsonOf, storedMessages, userMessage, type StoreFixture } from './history-support.js';
import { mockOpenAI, type setupOpenAIServer } from './support.js';

type ConversationBody = { conversation: Conversation };
type ConversationList = { conversations: Conversation[]; nextCursor: string | null };
type MessageList = { messages: StoredMessage[]; nextCursor: string | null };

const at = (seconds: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

/** Seeds `count` user messages `m1…` straight into the store, one second apart. */
async function seedMessages(fixture: StoreFixture, ownerId: string, conversationId: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await fixture.store.insertUserMessage(ownerId, conversationId, { id: `m${i}`, parts: [{ type: 'text', text: `message ${i}` }] }, at(i));
  }
}


/** The endpoints' behaviour (CRUD, paging, authorisation, IDOR) on one store backend. */
export function describeHistoryEndpoints(fixture: StoreFixture, server: ReturnType<typeof setupOpenAIServer>): void {
  describe('conversations', () => {
    it('creates (201), answers the same conversation again for its id (200), and lists newest first', async () => {
      const handlers = historyHandlers(fixture.store);
      const created = await jsonOf<ConversationBody>(call(handlers, 'POST', '', { body: { id: 'c1' } }), 201);
      expect(created.conversation).toEqual({ id: 'c1', title: 'New conversation', createdAt: expect.any(String), updatedAt: expect.any(String) });
      const again = await jsonOf<ConversationBody>(call(handlers, 'POST', '', { body: { id: 'c1', title: 'Ignored' } }), 200);
      expect(again.conversation).toEqual(created.conversation);
      const titled = await jsonOf<ConversationBody>(call(handlers, 'POST', '', { body: { title: '  Trip plans  ' } }), 201);
      expect(titled.conversation).toMatchObject({ id: expect.any(String), title: 'Trip plans' });
      const list = await jsonOf<ConversationList>(call(handlers, 'GET', ''));
      expect(list.conversations.map((c) => c.id)).toEqual([titled.conversation.id, 'c1']);
      expect(list.nextCursor).toBeNull();
      expect(await jsonOf<ConversationBody>(call(handlers, 'GET', '/c1'))).toEqual(created);
    });

    it('refuses a bad create body: not JSON, unknown field, bad id or title (400)', async () => {
      const handlers = historyHandlers(fixture.store);
      expect(await errorOf(call(handlers, 'POST', '', { body: '{"id":' }), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'POST', '', { body: [] }), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'POST', '', { body: { model: 'gpt-4o' } }), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'POST', '', { body: { id: '' } }), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'POST', '', { body: { id: 'x'.repeat(257) } }), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'POST', '', { body: { title: '   ' } }), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'POST', '', { body: { title: 'x'.repeat(201) } }), 400)).toBe('invalid_input');
      // Without the JSON content type a cross-site form could create conversations without a preflight.
      const form = new Request(API, { method: 'POST', headers: { 'X-User': 'alice', 'Content-Type': 'text/plain' }, body: '{}' });
      expect(await errorOf(handlers.handle(form), 400)).toBe('invalid_input');
      expect((await jsonOf<ConversationList>(call(handlers, 'GET', ''))).conversations).toEqual([]);
    });

    it('renames (trimmed, updatedAt bumped) and refuses a bad title (400) or an unknown id (404)', async () => {
      const handlers = historyHandlers(fixture.store);
      await fixture.store.createConversation('alice', { id: 'c1', now: at(0) });
      const renamed = await jsonOf<ConversationBody>(call(handlers, 'PATCH', '/c1', { body: { title: '  Renamed ' } }));
      expect(renamed.conversation).toMatchObject({ id: 'c1', title: 'Renamed' });
      expect(Date.parse(renamed.conversation.updatedAt)).toBeGreaterThan(at(0).getTime());
      expect(await errorOf(call(handlers, 'PATCH', '/c1', { body: { title: '' } }), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'PATCH', '/c1', { body: {} }), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'PATCH', '/c1', { body: { title: 'x', extra: 1 } }), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'PATCH', '/nope', { body: { title: 'Renamed' } }), 404)).toBe('not_found');
      expect((await jsonOf<ConversationBody>(call(handlers, 'GET', '/c1'))).conversation.title).toBe('Renamed');
    });

    it('deletes with its messages (204, no body), then answers 404', async () => {
      const handlers = historyHandlers(fixture.store);
      await fixture.store.createConversation('alice', { id: 'c1', now: at(0) });
      await seedMessages(fixture, 'alice', 'c1', 2);
      const response = await call(handlers, 'DELETE', '/c1');
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
      expect(await errorOf(call(handlers, 'DELETE', '/c1'), 404)).toBe('not_found');
      expect(await errorOf(call(handlers, 'GET', '/c1'), 404)).toBe('not_found');
      expect(await errorOf(call(handlers, 'GET', '/c1/messages'), 404)).toBe('not_found');
    });

    it('pages conversations with an opaque cursor; limit is 1–200 (above is capped), a bad cursor is 400', async () => {
      const handlers = historyHandlers(fixture.store);
      for (let i = 1; i <= 5; i++) await fixture.store.createConversation('alice', { id: `c${i}`, now: at(i) });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
        const page: ConversationList = await jsonOf<ConversationList>(call(handlers, 'GET', query));
        expect(page.conversations.length).toBeLessThanOrEqual(2);
        seen.push(...page.conversations.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(seen).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
      expect((await jsonOf<ConversationList>(call(handlers, 'GET', '?limit=500'))).conversations).toHaveLength(5);
      for (const bad of ['0', '-1', 'abc', '1.5', '']) expect(await errorOf(call(handlers, 'GET', `?limit=${bad}`), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'GET', '?cursor=not-a-cursor!'), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'GET', '?cursor=eyJ4IjoxfQ'), 400)).toBe('invalid_input');
    });
  });

  describe('messages', () => {
    it('pages backwards: the newest page first, each page oldest first, a bad cursor is 400', async () => {
      const handlers = historyHandlers(fixture.store);
      await fixture.store.createConversation('alice', { id: 'c1', now: at(0) });
      await seedMessages(fixture, 'alice', 'c1', 5);
      const first = await jsonOf<MessageList>(call(handlers, 'GET', '/c1/messages?limit=2'));
      expect(first.messages.map((m) => m.id)).toEqual(['m4', 'm5']);
      expect(first.messages[0]).toEqual({
        id: 'm4', parentId: 'm3', role: 'user', parts: [{ type: 'text', text: 'message 4' }], createdAt: at(4).toISOString(), status: 'complete',
      });
      const second = await jsonOf<MessageList>(call(handlers, 'GET', `/c1/messages?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`));
      expect(second.messages.map((m) => m.id)).toEqual(['m2', 'm3']);
      const third = await jsonOf<MessageList>(call(handlers, 'GET', `/c1/messages?limit=2&cursor=${encodeURIComponent(second.nextCursor!)}`));
      expect(third).toEqual({ messages: [expect.objectContaining({ id: 'm1', parentId: null })], nextCursor: null });
      expect((await jsonOf<MessageList>(call(handlers, 'GET', '/c1/messages'))).messages).toHaveLength(5);
      expect(await errorOf(call(handlers, 'GET', '/c1/messages?cursor=%%%'), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'GET', '/c1/messages?limit=0'), 400)).toBe('invalid_input');
      expect(await errorOf(call(handlers, 'GET', '/nope/messages'), 404)).toBe('not_found');
    });
  });

  describe('authorisation', () => {
    it('answers 401 to every endpoint without a signed-in user, before touching anything', async () => {
      const upstream = mockOpenAI(server);
      const handlers = historyHandlers(fixture.store);
      await fixture.store.createConversation('alice', { id: 'c1', now: at(0) });
      const requests: Array<[string, string, unknown]> = [
        ['GET', '', undefined],
        ['POST', '', { id: 'c2' }],
        ['GET', '/c1', undefined],
        ['PATCH', '/c1', { title: 'Hacked' }],
        ['DELETE', '/c1', undefined],
        ['GET', '/c1/messages', undefined],
        ['POST', '/c1/messages', userMessage('u1', 'Hi')],
        ['POST', '/c1/messages/a1/stop', undefined],
        ['GET', '/nowhere/at/all', undefined],
      ];
      for (const [method, path, body] of requests) {
        const response = await call(handlers, method, path, { user: null, body });
        expect(response.status, `${method} ${path}`).toBe(401);
        expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      }
      expect(upstream.count).toBe(0);
      expect(await fixture.store.getConversation('alice', 'c1')).toMatchObject({ title: 'New conversation' });
      expect((await fixture.store.listConversations('alice')).conversations).toHaveLength(1);
    });

    it('IDOR: another user gets 404 for every operation on a conversation, exactly as for a missing one, and nothing changes', async () => {
      const upstream = mockOpenAI(server, { reply: 'Hello Alice.' });
      const handlers = historyHandlers(fixture.store);
      await jsonOf(call(handlers, 'POST', '', { body: { id: 'c1' } }), 201);
      await jsonOf(call(handlers, 'POST', '/c1/messages', { body: userMessage('u1', 'Secret plans'), accept: 'application/json' }));
      const before = { list: await jsonOf(call(handlers, 'GET', '')), conversation: await jsonOf(call(handlers, 'GET', '/c1')), messages: await storedMessages(handlers, 'c1') };
      expect(before.messages.map((m) => m.status)).toEqual(['complete', 'complete']);
      const answerId = before.messages[1]!.id;

      const operations: Array<[string, string, unknown]> = [
        ['GET', '', undefined],
        ['PATCH', '', { title: 'Mine now' }],
        ['DELETE', '', undefined],
        ['GET', '/messages', undefined],
        ['GET', '/messages?limit=1', undefined],
        ['POST', '/messages', userMessage('u1', 'Secret plans')],
        ['POST', '/messages', userMessage('u9', 'Tell me the plans')],
        ['POST', `/messages/${answerId}/stop`, undefined],
        ['POST', '/messages/u1/stop', undefined],
      ];
      for (const [method, suffix, body] of operations) {
        for (const accept of ['application/json', 'text/event-stream']) {
          const foreign = await call(handlers, method, `/c1${suffix}`, { user: 'bob', body, accept });
          const missing = await call(handlers, method, `/zz${suffix}`, { user: 'bob', body, accept });
          expect(foreign.status, `${method} /c1${suffix}`).toBe(404);
          // Indistinguishable: same status, same body.
          expect(await foreign.json()).toEqual(await missing.json());
        }
      }
      expect((await jsonOf<ConversationList>(call(handlers, 'GET', '', { user: 'bob' }))).conversations).toEqual([]);
      // Bob creating the same id makes his own conversation; Alice's is untouched.
      await jsonOf(call(handlers, 'POST', '', { user: 'bob', body: { id: 'c1', title: 'Bob’s' } }), 201);
      expect(upstream.count).toBe(1);
      const after = { list: await jsonOf(call(handlers, 'GET', '')), conversation: await jsonOf(call(handlers, 'GET', '/c1')), messages: await storedMessages(handlers, 'c1') };
      expect(after).toEqual(before);
    });

    it('a ChatError thrown by authorize is answered as is (403); any other throw is a bare 500', async () => {
      const forbidden = historyHandlers(fixture.store, {
        authorize: () => {
          throw new ChatError('forbidden', 'Your plan has no history.', { status: 403 });
        },
      });
      expect(await jsonOf(call(forbidden, 'GET', ''), 403)).toEqual({ error: { code: 'forbidden', message: 'Your plan has no history.' } });
      const broken = historyHandlers(fixture.store, {
        authorize: async () => {
          throw new Error('session store at 10.0.0.5 is down');
        },
      });
      const body = await jsonOf<{ error: { code: string; message: string } }>(call(broken, 'GET', ''), 500);
      expect(body.error.code).toBe('server_error');
      expect(body.error.message).not.toContain('10.0.0.5');
    });
  });
}
