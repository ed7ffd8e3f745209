import { describe, expect, it } from 'vitest';
import {
  ChatError,
  chatTransition,
  conversationTransition,
  initialConversationState,
  type ChatMessage,
  type Conversation,
  type ConversationState,
} from 'colloquy/core';

const at = '2025-01-01T00:00:00.000Z';
const message = (id: string, status: ChatMessage['status'] = 'complete'): ChatMessage => ({
  id,
  parentId: null,
  role: 'user',
  parts: [{ type: 'text', text: id, state: 'done' }],
  createdAt: at,
  status,
});
const conversation = (id: string, updatedAt = at, title = id): Conversation => ({ id, title, createdAt: at, updatedAt });

function listed(...items: Conversation[]): ConversationState {
  return { ...initialConversationState(), list: { status: 'idle', conversations: items, nextCursor: null } };
}

describe('chatTransition: prepend (merge by id)', () => {
  it('puts older messages first, skipping those shown, and keeps a turn in flight', () => {
    const busy = chatTransition({ status: 'idle', messages: [message('u', 'pending')] }, { type: 'submit', turnId: 't', assistantId: 'a', messages: [message('u', 'pending')] });
    const next = chatTransition(busy, { type: 'prepend', messages: [message('m1'), message('m2'), message('u'), message('server-a', 'streaming')] });
    expect(next).toMatchObject({ status: 'submitting', turnId: 't', assistantId: 'a' });
    expect(next.messages.map((item) => [item.id, item.status])).toEqual([
      ['m1', 'complete'],
      ['m2', 'complete'],
      ['u', 'pending'],
    ]);
    expect(chatTransition(next, { type: 'prepend', messages: [message('m2')] })).toBe(next);
  });
});

describe('conversationTransition', () => {
  it('drops the answer to a superseded request', () => {
    const first = conversationTransition(initialConversationState(), { type: 'listRequest', requestId: 1, page: 'first' });
    const second = conversationTransition(first, { type: 'listRequest', requestId: 2, page: 'first' });
    expect(conversationTransition(second, { type: 'listLoaded', requestId: 1, conversations: [conversation('a')], nextCursor: null })).toBe(second);
    const history = conversationTransition(second, { type: 'historyRequest', conversationId: 'a', requestId: 3 });
    expect(conversationTransition(history, { type: 'historyFailed', conversationId: 'a', requestId: 9, error: new ChatError('server_error', 'x') })).toBe(history);
  });

  it('keeps unconfirmed changes when a first page replaces the list', () => {
    let state = listed(conversation('a', '2025-01-02T00:00:00.000Z'), conversation('b'));
    state = conversationTransition(state, { type: 'renameStart', conversationId: 'a', title: 'Local', at });
    state = conversationTransition(state, { type: 'removeStart', conversationId: 'b' });
    state = conversationTransition(state, { type: 'listRequest', requestId: 1, page: 'first' });
    state = conversationTransition(state, {
      type: 'listLoaded',
      requestId: 1,
      conversations: [conversation('c', '2025-01-03T00:00:00.000Z'), conversation('a', '2025-01-02T00:00:00.000Z', 'Server'), conversation('b')],
      nextCursor: null,
    });
    expect(state.list.conversations.map((item) => [item.id, item.title])).toEqual([
      ['c', 'c'],
      ['a', 'Local'],
    ]);
  });

  it('rolls a refused rename back to the previous copy, with the failure', () => {
    const before = listed(conversation('a'));
    const renamed = conversationTransition(before, { type: 'renameStart', conversationId: 'a', title: 'New', at });
    const error = new ChatError('server_error', 'x');
    const rolledBack = conversationTransition(renamed, { type: 'renameFailed', conversationId: 'a', error });
    expect(rolledBack.list.conversations).toEqual(before.list.conversations);
    expect(rolledBack).toMatchObject({ pending: {}, failure: { operation: 'rename', conversationId: 'a', error } });
  });

  it('treats ids as plain keys, never as prototype properties', () => {
    const state = conversationTransition(initialConversationState(), { type: 'historyRequest', conversationId: '__proto__', requestId: 1 });
    expect(Object.hasOwn(state.histories, '__proto__')).toBe(true);
    expect(conversationTransition(initialConversationState(), { type: 'olderRequest', conversationId: 'toString', requestId: 1 })).toEqual(initialConversationState());
  });
});
