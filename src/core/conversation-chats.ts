import { abortable } from './abortable.js';
import { createChatStore, type ChatStore, type ChatStoreOptions } from './chat-store.js';
import type { ChatMessage } from './message.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import type { ChatRequest, ChatTransport } from './transport.js';

/**
 * Options passed to every conversation's chat store (`createChatStore`): input limit, rate limit, timeout, system
 * prompt, extra body fields, callbacks. A `rateLimit` given as options makes ONE limiter shared by all conversations.
 */
export type ConversationChatOptions = Omit<ChatStoreOptions, 'transport' | 'initialMessages' | 'conversationId' | 'generateId' | 'now'>;

/** What the conversation store needs to build its chats. */
export interface ConversationChatsOptions {
  transport: ChatTransport;
  chat: ConversationChatOptions;
  generateId: () => string;
  now: () => Date;
  /** Runs before each turn reaches the transport (the conversation may still be being created); rejects to fail it. */
  beforeTurn: (conversationId: string, request: ChatRequest) => Promise<void>;
}

/** One chat store per conversation, created on first use and kept until the conversation is deleted. */
export interface ConversationChats {
  readonly rateLimiter: RateLimiter;
  /** The conversation's chat store, created (with `initialMessages`) when it has none yet. */
  get: (conversationId: string, initialMessages?: ChatMessage[]) => ChatStore;
  /** The conversation's chat store if it has one. */
  peek: (conversationId: string) => ChatStore | undefined;
  /** Disposes the conversation's chat store (aborting its turn) and forgets it. */
  dispose: (conversationId: string) => void;
  /** Disposes every chat store and the shared limiter when it was created here; later stores are born disposed. */
  disposeAll: () => void;
}

/** Creates the per-conversation chat stores, sharing one rate limiter so switching conversations cannot evade it. */
export function createConversationChats(options: ConversationChatsOptions): ConversationChats {
  const { rateLimit, ...chatOptions } = options.chat;
  const ownsLimiter = !rateLimit || !('tryAcquire' in rateLimit);
  const rateLimiter = rateLimit && 'tryAcquire' in rateLimit ? rateLimit : createRateLimiter(rateLimit);
  const stores = new Map<string, ChatStore>();
  let closed = false;

  function transportFor(conversationId: string): ChatTransport {
    const { transport, beforeTurn } = options;
    return {
      async *send(request, sendOptions) {
        await abortable(beforeTurn(conversationId, request), sendOptions.signal);
        yield* transport.send(request, sendOptions);
      },
    };
  }

  return {
    rateLimiter,
    get(conversationId, initialMessages = []) {
      const existing = stores.get(conversationId);
      if (existing) return existing;
      const store = createChatStore({
        ...chatOptions,
        transport: transportFor(conversationId),
        conversationId,
        initialMessages,
        rateLimit: rateLimiter,
        generateId: options.generateId,
        now: options.now,
      });
      if (closed) store.dispose();
      else stores.set(conversationId, store);
      return store;
    },
    peek: (conversationId) => stores.get(conversationId),
    dispose(conversationId) {
      stores.get(conversationId)?.dispose();
      stores.delete(conversationId);
    },
    disposeAll() {
      closed = true;
      for (const store of stores.values()) store.dispose();
      stores.clear();
      if (ownsLimiter) rateLimiter.dispose();
    },
  };
}
