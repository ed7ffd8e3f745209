import { ChatError, toChatError } from './chat-error.js';
import type { ConversationChats } from './conversation-chats.js';
import { findConversation, ownValue } from './conversation-list.js';
import type { ConversationAction, ConversationState } from './conversation-machine.js';
import type { MutationResult } from './conversation-store.js';
import { normalizeTitle } from './conversation-title.js';
import type { HistoryTransport } from './history-transport.js';

/** What the conversation store's request effects share. */
export interface ConversationContext {
  transport: HistoryTransport;
  chats: ConversationChats;
  /** Aborted when the store is disposed. */
  signal: AbortSignal;
  state: () => ConversationState;
  /** Feeds the machine; does nothing once the store is disposed. */
  dispatch: (action: ConversationAction) => void;
  /** A fresh id for a request, so the machine drops answers to superseded ones. */
  nextRequestId: () => number;
  at: () => string;
  /** Forgets a conversation's local save (it was removed). */
  forget: (conversationId: string) => void;
  conversationPageSize: number | undefined;
  messagePageSize: number | undefined;
}

/** A refusal before any request: nothing changed. */
export function refused(code: ChatError['code'], message: string): { ok: false; error: ChatError } {
  return { ok: false, error: new ChatError(code, message) };
}

const CONFLICT = 'Wait until the last change to this conversation is saved.';

function limit(size: number | undefined): { limit?: number } {
  return size === undefined ? {} : { limit: size };
}

/** Loads the first page of conversations, or the next one (when there is one and no load runs). */
export function loadList(context: ConversationContext, page: 'first' | 'more'): Promise<void> {
  const { list } = context.state();
  if (context.signal.aborted || (page === 'more' && (list.status === 'loading' || list.nextCursor === null))) return Promise.resolve();
  const requestId = context.nextRequestId();
  context.dispatch({ type: 'listRequest', requestId, page });
  const cursor = page === 'more' ? { cursor: list.nextCursor } : {};
  return context.transport.listConversations({ ...cursor, ...limit(context.conversationPageSize), signal: context.signal }).then(
    ({ conversations, nextCursor }) => context.dispatch({ type: 'listLoaded', requestId, conversations, nextCursor }),
    (error: unknown) => context.dispatch({ type: 'listFailed', requestId, error: toChatError(error) }),
  );
}

/** Loads a conversation's newest messages into its chat store, once (again after a failure). */
export function loadHistory(context: ConversationContext, conversationId: string): void {
  const { chats, dispatch } = context;
  const history = ownValue(context.state().histories, conversationId);
  if (history !== undefined && history.status !== 'error') return;
  const requestId = context.nextRequestId();
  dispatch({ type: 'historyRequest', conversationId, requestId });
  context.transport.listMessages(conversationId, { ...limit(context.messagePageSize), signal: context.signal }).then(
    ({ messages, nextCursor }) => {
      const current = ownValue(context.state().histories, conversationId);
      if (context.signal.aborted || current?.status !== 'loading' || current.requestId !== requestId) return;
      // Merged by id: messages sent while the page loaded stay, and stay last.
      const chat = chats.peek(conversationId);
      if (chat) chat.prependMessages(messages);
      else chats.get(conversationId, messages);
      dispatch({ type: 'historyLoaded', conversationId, requestId, nextCursor });
    },
    (error: unknown) => dispatch({ type: 'historyFailed', conversationId, requestId, error: toChatError(error) }),
  );
}

/** Prepends the page of messages older than those shown (pages go backwards), in order. */
export async function loadOlder(context: ConversationContext, conversationId: string | null): Promise<void> {
  if (conversationId === null || context.signal.aborted) return;
  const history = ownValue(context.state().histories, conversationId);
  if (history?.status !== 'ready' || history.nextCursor === null || history.older.status === 'loading') return;
  const requestId = context.nextRequestId();
  context.dispatch({ type: 'olderRequest', conversationId, requestId });
  try {
    const page = await context.transport.listMessages(conversationId, {
      ...limit(context.messagePageSize),
      cursor: history.nextCursor,
      signal: context.signal,
    });
    const current = ownValue(context.state().histories, conversationId);
    const older = current?.status === 'ready' ? current.older : undefined;
    if (context.signal.aborted || older?.status !== 'loading' || older.requestId !== requestId) return;
    context.chats.get(conversationId).prependMessages(page.messages);
    context.dispatch({ type: 'olderLoaded', conversationId, requestId, nextCursor: page.nextCursor });
  } catch (error) {
    context.dispatch({ type: 'olderFailed', conversationId, requestId, error: toChatError(error) });
  }
}

/** Renames at once, then confirms with the server's copy or rolls back. */
export async function rename(context: ConversationContext, conversationId: string, input: string): Promise<MutationResult> {
  const title = normalizeTitle(input);
  const current = findConversation(context.state(), conversationId);
  if (context.signal.aborted) return refused('aborted', 'This store has been disposed.');
  if (title === undefined) return refused('invalid_input', 'A title needs 1 to 200 characters.');
  if (current === undefined) return refused('not_found', 'There is no such conversation.');
  if (ownValue(context.state().pending, conversationId)) return refused('conflict', CONFLICT);
  if (title === current.title) return { ok: true };
  context.dispatch({ type: 'renameStart', conversationId, title, at: context.at() });
  try {
    const conversation = await context.transport.renameConversation(conversationId, title, { signal: context.signal });
    context.dispatch({ type: 'renameDone', conversation });
    return { ok: true };
  } catch (reason) {
    const error = toChatError(reason);
    context.dispatch({ type: 'renameFailed', conversationId, error });
    return { ok: false, error };
  }
}

/**
 * Removes at once, then disposes its chat once the server confirms, or rolls back. A conversation the server never
 * stored (its creation failed) goes without a request; one the server no longer has counts as removed.
 */
export async function remove(context: ConversationContext, conversationId: string): Promise<MutationResult> {
  const pending = ownValue(context.state().pending, conversationId);
  if (context.signal.aborted) return refused('aborted', 'This store has been disposed.');
  if (findConversation(context.state(), conversationId) === undefined) return refused('not_found', 'There is no such conversation.');
  const unsaved = pending?.kind === 'create' && pending.status === 'failed';
  if (pending !== undefined && !unsaved) return refused('conflict', CONFLICT);
  if (!unsaved) {
    context.dispatch({ type: 'removeStart', conversationId });
    try {
      await context.transport.deleteConversation(conversationId, { signal: context.signal });
    } catch (reason) {
      const error = toChatError(reason);
      if (error.code !== 'not_found') {
        context.dispatch({ type: 'removeFailed', conversationId, error });
        return { ok: false, error };
      }
    }
  }
  context.forget(conversationId);
  context.chats.dispose(conversationId);
  context.dispatch({ type: 'removeDone', conversationId });
  return { ok: true };
}
