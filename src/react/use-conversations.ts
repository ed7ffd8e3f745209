import { useEffect, useState, useSyncExternalStore } from 'react';
import {
  createConversationStore,
  createHistoryTransport,
  type Conversation,
  type ConversationChatOptions,
  type ConversationListState,
  type ConversationState,
  type ConversationStore,
  type ConversationStoreOptions,
  type HistoryTransport,
  type MessageHistoryState,
  type MutationFailure,
} from '../core/index.js';
import { useChatConfig } from './chat-provider.js';

/**
 * Options of {@link useConversations}: the store's, with the transport optional (built from `baseUrl`). Read once,
 * on mount.
 */
export interface UseConversationsOptions extends Omit<ConversationStoreOptions, 'transport'> {
  /** The history endpoints. @defaultValue `createHistoryTransport({ baseUrl })` */
  transport?: HistoryTransport;
  /** Where the history endpoints live when no `transport` is given. @defaultValue '/api' */
  baseUrl?: string;
  /** Load the first page of conversations when the component mounts. @defaultValue true */
  loadOnMount?: boolean;
}

/** What {@link useConversations} returns: the store's state, a few fields read from it, and its methods. */
export interface UseConversationsResult {
  /** The whole state: list, selection, message loading, pending changes, last failure. */
  state: ConversationState;
  /** The listed conversations, newest first, optimistic changes included. */
  conversations: Conversation[];
  /** The list's loading state (`status`, `page`, `error`, `nextCursor`). */
  list: ConversationListState;
  selectedId: string | null;
  /** The selected conversation, when it is listed. */
  selected: Conversation | undefined;
  /** How the selected conversation's messages load (`undefined` with none selected). */
  history: MessageHistoryState | undefined;
  /** The last change the server refused, until dismissed. */
  failure: MutationFailure | null;
  select: ConversationStore['select'];
  create: ConversationStore['create'];
  rename: ConversationStore['rename'];
  remove: ConversationStore['remove'];
  /** Loads the first page again (after a failure, or to refresh). */
  reload: ConversationStore['loadConversations'];
  loadMore: ConversationStore['loadMore'];
  loadOlder: ConversationStore['loadOlder'];
  send: ConversationStore['send'];
  stop: ConversationStore['stop'];
  retry: ConversationStore['retry'];
  dismissFailure: ConversationStore['dismissFailure'];
  /** The underlying store: `store.getChatStore(id)` gives a conversation's chat for `useChat`. */
  store: ConversationStore;
}

function isConversationStore(value: unknown): value is ConversationStore {
  return typeof value === 'object' && value !== null && 'loadConversations' in value && 'getChatStore' in value;
}

/** The chat options a `ChatProvider` sets for every chat below it, under the hook's own. */
function chatDefaults(config: ReturnType<typeof useChatConfig>, own: ConversationChatOptions | undefined): ConversationChatOptions {
  const { system, maxInputLength, rateLimit, timeoutMs, body } = config;
  const picked: ConversationChatOptions = { system, maxInputLength, rateLimit, timeoutMs, body };
  for (const key of Object.keys(picked) as Array<keyof ConversationChatOptions>) if (picked[key] === undefined) delete picked[key];
  return { ...picked, ...own };
}

/**
 * Binds a conversation store (persisted history: the list, the selection, optimistic create, rename and delete) to
 * React with one `useSyncExternalStore`. Pass a store you created with `createConversationStore` (you own it), or
 * options (the hook owns the store: created once, stable across re-renders and StrictMode; unmounting stops the
 * selected conversation's answer). Loads the first page of conversations on mount.
 *
 * The selected conversation's messages live in its own chat store: bind it with {@link useConversationChat}
 * (which also sends the first message of a new conversation), or `useChat(result.store.getChatStore(id))` for
 * any given conversation.
 *
 * @example
 * const conversations = useConversations({ baseUrl: '/api' });
 * const chat = useConversationChat(conversations);
 * conversations.select(conversations.conversations[0]?.id ?? null);
 */
export function useConversations(storeOrOptions?: ConversationStore | UseConversationsOptions): UseConversationsResult {
  const config = useChatConfig();
  const external = isConversationStore(storeOrOptions) ? storeOrOptions : undefined;
  const options = external ? undefined : (storeOrOptions as UseConversationsOptions | undefined);

  const [owned] = useState<ConversationStore | undefined>(() => {
    if (external) return undefined;
    const { transport, baseUrl, loadOnMount: _loadOnMount, chat, ...storeOptions } = options ?? {};
    return createConversationStore({
      ...storeOptions,
      transport: transport ?? createHistoryTransport(baseUrl === undefined ? {} : { baseUrl }),
      chat: chatDefaults(config, chat),
    });
  });
  const store = (external ?? owned) as ConversationStore;
  const loadOnMount = options?.loadOnMount ?? true;

  useEffect(() => {
    // StrictMode runs this twice: the second run finds the first page loading and leaves it be.
    if (loadOnMount && store.getState().list.status !== 'loading') void store.loadConversations();
  }, [store, loadOnMount]);

  useEffect(() => {
    if (!owned) return undefined;
    // Stop, not dispose: StrictMode unmounts and remounts the same store, which must keep working.
    return () => owned.stop();
  }, [owned]);

  const state = useSyncExternalStore(store.subscribe, store.getState, store.getInitialState);
  const { list, selectedId } = state;
  return {
    state,
    conversations: list.conversations,
    list,
    selectedId,
    selected: selectedId === null ? undefined : list.conversations.find((item) => item.id === selectedId),
    history: selectedId !== null && Object.hasOwn(state.histories, selectedId) ? state.histories[selectedId] : undefined,
    failure: state.failure,
    select: store.select,
    create: store.create,
    rename: store.rename,
    remove: store.remove,
    reload: store.loadConversations,
    loadMore: store.loadMore,
    loadOlder: store.loadOlder,
    send: store.send,
    stop: store.stop,
    retry: store.retry,
    dismissFailure: store.dismissFailure,
    store,
  };
}
