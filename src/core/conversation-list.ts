import { DEFAULT_CONVERSATION_TITLE } from './conversation-title.js';
import type { ConversationState } from './conversation-machine.js';
import type { Conversation } from './history-wire.js';

/** A record's own value for `key` (never an inherited one such as `__proto__`'s). */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** `record` with `key` set to `value`, as a new object. */
export function withEntry<T>(record: Readonly<Record<string, T>>, key: string, value: T): Record<string, T> {
  return { ...record, [key]: value };
}

/** `record` without `key`; the same object when it had none. */
export function withoutEntry<T>(record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!Object.hasOwn(record, key)) return record;
  const next = { ...record };
  delete next[key];
  return next;
}

function time(iso: string): number {
  const value = Date.parse(iso);
  return Number.isNaN(value) ? 0 : value;
}

/** The protocol's order: newest `updatedAt` first, ties by `id` descending. @see docs/protocol.md */
export function compareConversations(a: Conversation, b: Conversation): number {
  return time(b.updatedAt) - time(a.updatedAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The later of two ISO 8601 times. */
export function laterTime(a: string, b: string): string {
  return time(a) >= time(b) ? a : b;
}

/** `list` with `conversation` replacing the one with its id (or added), in the protocol's order. */
export function upsertConversation(list: readonly Conversation[], conversation: Conversation): Conversation[] {
  return [...list.filter((item) => item.id !== conversation.id), conversation].sort(compareConversations);
}

/** `list` without the conversation `id`; the same array when it was absent. */
export function removeConversation(list: Conversation[], id: string): Conversation[] {
  return list.some((item) => item.id === id) ? list.filter((item) => item.id !== id) : list;
}

/**
 * Merges a page from the server into `kept` (which wins on equal ids: local copies with a pending change, or
 * conversations already listed), dropping ids in `hidden` (pending removals), in the protocol's order.
 */
export function mergeConversations(
  kept: readonly Conversation[],
  page: readonly Conversation[],
  hidden: ReadonlySet<string>,
): Conversation[] {
  const ids = new Set(kept.map((item) => item.id));
  const added = page.filter((item) => !ids.has(item.id) && !hidden.has(item.id));
  return [...kept, ...added].sort(compareConversations);
}

/**
 * The server's copy of a conversation the client just created, reconciled with the local one: the server's wins,
 * except that a title the first message derived locally is kept over the server's placeholder (the server derives
 * the same one when it stores that message).
 */
export function reconcileCreated(local: Conversation | undefined, server: Conversation): Conversation {
  if (local === undefined || server.title !== DEFAULT_CONVERSATION_TITLE) return server;
  return { ...server, title: local.title };
}

/** `state` with another list of conversations (the same state when the list is unchanged). */
export function withConversations(state: ConversationState, conversations: Conversation[]): ConversationState {
  return conversations === state.list.conversations ? state : { ...state, list: { ...state.list, conversations } };
}

/** The listed conversation `id`. */
export function findConversation(state: ConversationState, id: string): Conversation | undefined {
  return state.list.conversations.find((item) => item.id === id);
}
