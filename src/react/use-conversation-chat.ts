import { useMemo } from 'react';
import { ChatError, initialChatState, type ChatStore, type ConversationStore, type SendResult } from '../core/index.js';
import { useChatConfig } from './chat-provider.js';
import { useChat, type UseChatResult } from './use-chat.js';
import type { UseConversationsResult } from './use-conversations.js';

/** Options of {@link useConversationChat}. */
export interface UseConversationChatOptions {
  /**
   * The input limit the composer shows before a conversation exists (the store's chats enforce their own).
   * @defaultValue the nearest `ChatProvider`'s `maxInputLength`, else 4000 (as `createChatStore`)
   */
  maxInputLength?: number;
}

/**
 * A stand-in chat for "no conversation selected": always empty, and its `send` is the conversation store's, which
 * creates a conversation titled by the message, selects it and streams the answer into that conversation's chat.
 */
function createDraftChat(conversations: ConversationStore, maxInputLength: number): ChatStore {
  const state = initialChatState([]);
  const nothing = (): SendResult => ({ ok: false, error: new ChatError('invalid_input', 'There is no message to send again.') });
  const ignore = (): void => {};
  return {
    subscribe: () => ignore,
    getState: () => state,
    getInitialState: () => state,
    rateLimiter: conversations.rateLimiter,
    maxInputLength,
    send: (text, options) => conversations.send(text, options),
    stop: ignore,
    retry: nothing,
    regenerate: nothing,
    reset: ignore,
    setMessages: ignore,
    prependMessages: ignore,
    clearError: ignore,
    dispose: ignore,
  };
}

/**
 * The selected conversation's chat, bound with `useChat`: its messages, status, composer input and actions. With
 * none selected, an empty chat whose first send creates (and selects) a conversation. The composer's input is kept
 * when the selection changes, so a first message becomes a conversation without losing focus or text.
 *
 * @example
 * const conversations = useConversations({ baseUrl: '/api' });
 * const chat = useConversationChat(conversations);
 * <ChatView chat={chat} />
 */
export function useConversationChat(conversations: UseConversationsResult, options: UseConversationChatOptions = {}): UseChatResult {
  const { store, selectedId } = conversations;
  const config = useChatConfig();
  const maxInputLength = options.maxInputLength ?? config.maxInputLength ?? 4000;
  const draft = useMemo(() => createDraftChat(store, maxInputLength), [store, maxInputLength]);
  // Created on first use and kept by the store, so asking during render is idempotent.
  const chat = selectedId === null ? draft : store.getChatStore(selectedId);
  return useChat(chat);
}
