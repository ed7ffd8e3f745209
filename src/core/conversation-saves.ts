import { toChatError } from './chat-error.js';
import type { ConversationChats } from './conversation-chats.js';
import { findConversation } from './conversation-list.js';
import type { ConversationAction, ConversationState } from './conversation-machine.js';
import { conversationTitle } from './conversation-title.js';
import type { HistoryTransport } from './history-transport.js';
import { messageText } from './message.js';
import type { ChatRequest } from './transport.js';

/** What the save bookkeeping needs from the conversation store. */
export interface ConversationSavesOptions {
  transport: HistoryTransport;
  /** Read lazily: the chats are built with {@link ConversationSaves.beforeTurn}. */
  chats: () => ConversationChats;
  signal: AbortSignal;
  state: () => ConversationState;
  dispatch: (action: ConversationAction) => void;
  at: () => string;
}

/** Conversations created on the client that the server may not have yet, and the turns that wait for them. */
export interface ConversationSaves {
  /** POSTs the conversation under its client id (idempotent), confirming or rolling back the optimistic one. */
  save: (conversationId: string, title: string | undefined) => Promise<void>;
  /** Makes turns wait for a save that starts later; `release` starts it, `cancel` forgets the conversation. */
  hold: (conversationId: string, title: string) => { release: () => void; cancel: () => void };
  /** Runs before each turn: bumps the conversation (a first message names it), then waits until it is saved. */
  beforeTurn: (conversationId: string, request: ChatRequest) => Promise<void>;
  /** Forgets a removed conversation. */
  forget: (conversationId: string) => void;
}

interface Save {
  promise: Promise<void>;
  failed: boolean;
  title: string | undefined;
}

/** Creates the bookkeeping of {@link ConversationSaves}. */
export function createConversationSaves(options: ConversationSavesOptions): ConversationSaves {
  const { transport, dispatch } = options;
  const saves = new Map<string, Save>();

  function save(id: string, title: string | undefined): Promise<void> {
    const promise = transport.createConversation({ id, ...(title === undefined ? {} : { title }) }, { signal: options.signal }).then(
      (conversation) => {
        saves.delete(id);
        dispatch({ type: 'createDone', conversation });
      },
      (reason: unknown) => {
        const error = toChatError(reason);
        // A conversation the user already wrote in stays, its message failed with Retry (which saves again); an empty one goes.
        const keep = (options.chats().peek(id)?.getState().messages.length ?? 0) > 0;
        if (keep) saves.set(id, { promise, failed: true, title });
        else {
          saves.delete(id);
          options.chats().dispose(id);
        }
        dispatch({ type: 'createFailed', conversationId: id, error, keep });
        throw error;
      },
    );
    promise.catch(() => undefined);
    saves.set(id, { promise, failed: false, title });
    return promise;
  }

  return {
    save,
    hold(id, title) {
      let open!: (saved: Promise<void>) => void;
      saves.set(id, { promise: new Promise<void>((resolve) => (open = resolve)), failed: false, title });
      return { release: () => open(save(id, title)), cancel: () => saves.delete(id) };
    },
    beforeTurn(conversationId, request) {
      const messages = request.messages.filter((message) => message.role !== 'system');
      const question = messages[messages.length - 1];
      const title = messages.length === 1 && question ? { title: conversationTitle(messageText(question)) } : {};
      dispatch({ type: 'touch', conversationId, at: options.at(), ...title });
      const pending = saves.get(conversationId);
      if (pending === undefined) return Promise.resolve();
      if (!pending.failed) return pending.promise;
      const current = findConversation(options.state(), conversationId);
      if (current) dispatch({ type: 'createStart', conversation: current, select: false });
      return save(conversationId, pending.title);
    },
    forget: (conversationId) => saves.delete(conversationId),
  };
}
