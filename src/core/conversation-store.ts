import { ChatError, toChatError } from './chat-error.js';
import type { ChatStore, SendOptions, SendResult } from './chat-store.js';
import { createConversationChats, type ConversationChatOptions } from './conversation-chats.js';
import {
  conversationTransition,
  initialConversationState,
  type ConversationAction,
  type ConversationState,
} from './conversation-machine.js';
import { createConversationSaves } from './conversation-saves.js';
import { loadHistory, loadList, loadOlder, refused, remove, rename, type ConversationContext } from './conversation-requests.js';
import { conversationTitle, DEFAULT_CONVERSATION_TITLE, normalizeTitle } from './conversation-title.js';
import { createExternalStore, type ReadableStore } from './external-store.js';
import type { HistoryTransport } from './history-transport.js';
import type { Conversation } from './history-wire.js';
import type { RateLimiter } from './rate-limiter.js';

export type { ConversationChatOptions } from './conversation-chats.js';

/** Options of {@link createConversationStore}. */
export interface ConversationStoreOptions {
  /** The history endpoints: {@link createHistoryTransport}, or your own implementation of {@link HistoryTransport}. */
  transport: HistoryTransport;
  /** Id source for new conversations and for messages and turns. @defaultValue `crypto.randomUUID` */
  generateId?: () => string;
  /** Clock for optimistic timestamps. @defaultValue `() => new Date()` */
  now?: () => Date;
  /** Options of every conversation's chat store (`maxInputLength`, `rateLimit` (shared by all), `timeoutMs`…). */
  chat?: ConversationChatOptions;
  /** Conversations per page. @defaultValue the server's (50) */
  conversationPageSize?: number;
  /** Messages per page. @defaultValue the server's (100) */
  messagePageSize?: number;
}

/** The server's verdict on a change, after it was shown optimistically (and rolled back on failure). Never rejects. */
export type MutationResult = { ok: true } | { ok: false; error: ChatError };

/** The answer to {@link ConversationStore.create}: the optimistic conversation at once, the server's verdict later. */
export type CreateResult = { ok: true; conversation: Conversation; done: Promise<MutationResult> } | { ok: false; error: ChatError };

/**
 * Persisted conversations: the list, the selection, message loading and optimistic changes. Each conversation's
 * messages live in its own chat store ({@link ConversationStore.getChatStore}), so a stream can never write into
 * another conversation. Follows the store contract: bound `subscribe`, immutable `getState`, `getInitialState`.
 */
export interface ConversationStore extends ReadableStore<ConversationState> {
  /** The limiter every conversation's chat consults. */
  readonly rateLimiter: RateLimiter;
  /** Loads the first page of conversations (again), keeping changes the server has not confirmed yet. */
  loadConversations: () => Promise<void>;
  /** Loads the next page of conversations, when there is one and nothing is loading. */
  loadMore: () => Promise<void>;
  /** Creates a conversation with a client id, shown and selected at once, confirmed by the server under that id. */
  create: (input?: { title?: string }) => CreateResult;
  /** Opens a conversation (loading its newest messages once) or none. */
  select: (conversationId: string | null) => void;
  /** Prepends the page of messages older than those shown, for the selected (or given) conversation. */
  loadOlder: (conversationId?: string) => Promise<void>;
  /** Renames at once; rolled back, with a `failure`, when the server refuses. */
  rename: (conversationId: string, title: string) => Promise<MutationResult>;
  /** Removes at once (selecting none if it was open); rolled back, with a `failure`, when the server refuses. */
  remove: (conversationId: string) => Promise<MutationResult>;
  /** Sends to the selected conversation through its chat store; with none selected, creates one first. */
  send: (text: string, options?: SendOptions) => SendResult;
  /** Stops the selected conversation's answer. */
  stop: () => void;
  /** Sends the selected conversation's failed or cancelled turn again, with the same message id. */
  retry: (options?: SendOptions) => SendResult;
  /** The conversation's chat store (created on first use), for `useChat(store)`. */
  getChatStore: (conversationId: string) => ChatStore;
  /** Dismisses the last `failure`. */
  dismissFailure: () => void;
  /** Aborts every request and chat; the store does nothing afterwards. */
  dispose: () => void;
}

/**
 * Creates the store of persisted conversations behind a chat-with-history screen. Framework-agnostic: the React
 * layer binds it and the selected conversation's chat store (`useChat(store.getChatStore(id))`).
 *
 * @example
 * const conversations = createConversationStore({ transport: createHistoryTransport({ baseUrl: '/api' }) });
 * await conversations.loadConversations();
 * conversations.send('Hello!'); // creates a conversation, then streams the answer into its chat store
 * const { selectedId } = conversations.getState();
 * if (selectedId) conversations.getChatStore(selectedId).subscribe(render);
 */
export function createConversationStore(options: ConversationStoreOptions): ConversationStore {
  const { transport } = options;
  const generateId = options.generateId ?? (() => crypto.randomUUID());
  const now = options.now ?? (() => new Date());
  const store = createExternalStore(initialConversationState());
  const lifetime = new AbortController();
  const { signal } = lifetime;
  let requests = 0;
  let disposed = false;
  const at = (): string => now().toISOString();
  const state = (): ConversationState => store.getState();
  const dispatch = (action: ConversationAction): void => {
    if (!disposed) store.setState(conversationTransition(state(), action));
  };
  const saves = createConversationSaves({ transport, chats: () => chats, signal, state, dispatch, at });
  const chats = createConversationChats({ transport, chat: options.chat ?? {}, generateId, now, beforeTurn: saves.beforeTurn });
  const context: ConversationContext = {
    transport,
    chats,
    signal,
    state,
    dispatch,
    nextRequestId: () => ++requests,
    at,
    forget: saves.forget,
    conversationPageSize: options.conversationPageSize,
    messagePageSize: options.messagePageSize,
  };

  function optimistic(id: string, title: string): Conversation {
    const stamp = at();
    const conversation = { id, title, createdAt: stamp, updatedAt: stamp };
    dispatch({ type: 'createStart', conversation, select: true });
    return conversation;
  }

  return {
    subscribe: store.subscribe,
    getState: store.getState,
    getInitialState: store.getInitialState,
    rateLimiter: chats.rateLimiter,
    loadConversations: () => loadList(context, 'first'),
    loadMore: () => loadList(context, 'more'),
    create(input = {}) {
      if (disposed) return refused('aborted', 'This store has been disposed.');
      const title = input.title === undefined ? undefined : normalizeTitle(input.title);
      if (input.title !== undefined && title === undefined) return refused('invalid_input', 'A title needs 1 to 200 characters.');
      const conversation = optimistic(generateId(), title ?? DEFAULT_CONVERSATION_TITLE);
      const done = saves.save(conversation.id, title).then(
        (): MutationResult => ({ ok: true }),
        (error: unknown): MutationResult => ({ ok: false, error: toChatError(error) }),
      );
      return { ok: true, conversation, done };
    },
    select(conversationId) {
      if (disposed) return;
      dispatch({ type: 'select', conversationId });
      if (conversationId !== null) loadHistory(context, conversationId);
    },
    loadOlder: (conversationId) => loadOlder(context, conversationId ?? state().selectedId),
    rename: (conversationId, title) => rename(context, conversationId, title),
    remove: (conversationId) => remove(context, conversationId),
    send(text, sendOptions) {
      const { selectedId } = state();
      if (disposed) return refused('aborted', 'This store has been disposed.');
      if (selectedId !== null) return chats.get(selectedId).send(text, sendOptions);
      const id = generateId();
      const title = conversationTitle(text);
      // The turn waits until the conversation exists on the server; a refused send creates nothing.
      const hold = saves.hold(id, title);
      const result = chats.get(id).send(text, sendOptions);
      if (!result.ok) {
        hold.cancel();
        chats.dispose(id);
        return result;
      }
      optimistic(id, title);
      hold.release();
      return result;
    },
    stop() {
      const { selectedId } = state();
      if (selectedId !== null) chats.peek(selectedId)?.stop();
    },
    retry(sendOptions) {
      const { selectedId } = state();
      if (selectedId === null) return refused('invalid_input', 'There is no message to send again.');
      return chats.get(selectedId).retry(sendOptions);
    },
    getChatStore: (conversationId) => chats.get(conversationId),
    dismissFailure: () => dispatch({ type: 'dismissFailure' }),
    dispose() {
      if (disposed) return;
      disposed = true;
      lifetime.abort(new ChatError('aborted', 'The conversation store was disposed.'));
      chats.disposeAll();
    },
  };
}
