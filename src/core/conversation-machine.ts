import type { ChatError } from './chat-error.js';
import { DEFAULT_CONVERSATION_TITLE } from './conversation-title.js';
import * as list from './conversation-list.js';
import { mutationTransition } from './conversation-mutations.js';
import type { Conversation } from './history-wire.js';

/** Fields every list state has. */
interface ListBase {
  /** Newest `updatedAt` first, local changes included. */
  conversations: Conversation[];
  /** The cursor of the next page; `null` when everything is listed (or nothing was loaded yet). */
  nextCursor: string | null;
}

/** The conversation list: `loading` a first page or the next one, or failed to. */
export type ConversationListState =
  | (ListBase & { status: 'idle' })
  | (ListBase & { status: 'loading'; page: 'first' | 'more'; requestId: number })
  | (ListBase & { status: 'error'; page: 'first' | 'more'; error: ChatError });

/** Loading the page of messages older than those shown. */
export type OlderMessagesState = { status: 'idle' } | { status: 'loading'; requestId: number } | { status: 'error'; error: ChatError };

/** A conversation's stored messages: the newest page `loading`, `ready` (more may be older), or failed. */
export type MessageHistoryState =
  | { status: 'loading'; requestId: number }
  | { status: 'ready'; /** `null`: no older messages. */ nextCursor: string | null; older: OlderMessagesState }
  | { status: 'error'; error: ChatError };

/** A change shown before the server confirmed it (`previous` is what a failure restores). */
export type PendingMutation =
  | { kind: 'create'; status: 'saving' }
  | { kind: 'create'; status: 'failed'; error: ChatError }
  | { kind: 'rename'; previous: Conversation }
  | { kind: 'remove'; previous: Conversation };

/** A change the server refused and that was rolled back, for a notice the user can dismiss. */
export interface MutationFailure {
  operation: 'create' | 'rename' | 'remove';
  conversationId: string;
  error: ChatError;
}

/** The conversation store's state. Messages live in each conversation's chat store, never here. */
export interface ConversationState {
  list: ConversationListState;
  /** The open conversation, or `null` for none (the next send creates one). */
  selectedId: string | null;
  /** Message loading, by conversation id. */
  histories: Readonly<Record<string, MessageHistoryState>>;
  /** Changes awaiting the server, by conversation id (at most one each). */
  pending: Readonly<Record<string, PendingMutation>>;
  failure: MutationFailure | null;
}

/** What can happen to the conversation store; times and request ids come in the action. */
export type ConversationAction =
  | { type: 'listRequest'; requestId: number; page: 'first' | 'more' }
  | { type: 'listLoaded'; requestId: number; conversations: Conversation[]; nextCursor: string | null }
  | { type: 'listFailed'; requestId: number; error: ChatError }
  | { type: 'select'; conversationId: string | null }
  | HistoryAction
  | MutationAction
  | { type: 'touch'; conversationId: string; at: string; title?: string }
  | { type: 'dismissFailure' };

/** Loading a conversation's newest messages, or older ones. */
export type HistoryAction =
  | { type: 'historyRequest' | 'olderRequest'; conversationId: string; requestId: number }
  | { type: 'historyLoaded' | 'olderLoaded'; conversationId: string; requestId: number; nextCursor: string | null }
  | { type: 'historyFailed' | 'olderFailed'; conversationId: string; requestId: number; error: ChatError };

/** An optimistic change (`…Start`), then the server's verdict. */
export type MutationAction =
  | { type: 'createStart'; conversation: Conversation; select: boolean }
  | { type: 'createDone' | 'renameDone'; conversation: Conversation }
  | { type: 'createFailed'; conversationId: string; error: ChatError; keep: boolean }
  | { type: 'renameStart'; conversationId: string; title: string; at: string }
  | { type: 'renameFailed' | 'removeFailed'; conversationId: string; error: ChatError }
  | { type: 'removeStart' | 'removeDone'; conversationId: string };

/** The state before anything loaded. */
export function initialConversationState(): ConversationState {
  return { list: { status: 'idle', conversations: [], nextCursor: null }, selectedId: null, histories: {}, pending: {}, failure: null };
}

/** Applies a history action when the request it answers is still the current one. */
function history(state: ConversationState, action: HistoryAction): ConversationState {
  const current = list.ownValue(state.histories, action.conversationId);
  const set = (next: MessageHistoryState): ConversationState => ({
    ...state,
    histories: list.withEntry(state.histories, action.conversationId, next),
  });
  const answersFirst = current?.status === 'loading' && current.requestId === action.requestId;
  const answersOlder = current?.status === 'ready' && current.older.status === 'loading' && current.older.requestId === action.requestId;
  switch (action.type) {
    case 'historyRequest':
      return set({ status: 'loading', requestId: action.requestId });
    case 'historyLoaded':
    case 'olderLoaded':
      if (!(action.type === 'historyLoaded' ? answersFirst : answersOlder)) return state;
      return set({ status: 'ready', nextCursor: action.nextCursor, older: { status: 'idle' } });
    case 'historyFailed':
      return answersFirst ? set({ status: 'error', error: action.error }) : state;
    case 'olderRequest':
      if (current?.status !== 'ready' || current.nextCursor === null || current.older.status === 'loading') return state;
      return set({ ...current, older: { status: 'loading', requestId: action.requestId } });
    case 'olderFailed':
      return answersOlder && current?.status === 'ready' ? set({ ...current, older: { status: 'error', error: action.error } }) : state;
  }
}

/** Applies a list action when the request it answers is still the current one. */
function listing(state: ConversationState, action: Extract<ConversationAction, { type: `list${string}` }>): ConversationState {
  const { conversations, nextCursor } = state.list;
  if (action.type === 'listRequest') {
    return { ...state, list: { status: 'loading', conversations, nextCursor, page: action.page, requestId: action.requestId } };
  }
  if (state.list.status !== 'loading' || state.list.requestId !== action.requestId) return state;
  const { page } = state.list;
  if (action.type === 'listFailed') return { ...state, list: { status: 'error', conversations, nextCursor, page, error: action.error } };
  const pending = Object.entries(state.pending);
  const hidden = new Set(pending.filter(([, mutation]) => mutation.kind === 'remove').map(([id]) => id));
  // A first page replaces the list, except local changes the server has not confirmed yet.
  const kept = page === 'more' ? conversations : conversations.filter((item) => list.ownValue(state.pending, item.id) !== undefined);
  const merged = list.mergeConversations(kept, action.conversations, hidden);
  return { ...state, list: { status: 'idle', conversations: merged, nextCursor: action.nextCursor } };
}

/**
 * The conversation store's pure transition: the next state, or the same object when the action does not apply
 * (an answer to a superseded request, a change to an unknown conversation).
 */
export function conversationTransition(state: ConversationState, action: ConversationAction): ConversationState {
  switch (action.type) {
    case 'listRequest':
    case 'listLoaded':
    case 'listFailed':
      return listing(state, action);
    case 'historyRequest':
    case 'historyLoaded':
    case 'historyFailed':
    case 'olderRequest':
    case 'olderLoaded':
    case 'olderFailed':
      return history(state, action);
    case 'select':
      return state.selectedId === action.conversationId ? state : { ...state, selectedId: action.conversationId };
    case 'dismissFailure':
      return state.failure === null ? state : { ...state, failure: null };
    case 'touch': {
      const current = list.findConversation(state, action.conversationId);
      if (current === undefined) return state;
      const title = action.title !== undefined && current.title === DEFAULT_CONVERSATION_TITLE ? action.title : current.title;
      const touched = { ...current, title, updatedAt: list.laterTime(current.updatedAt, action.at) };
      return list.withConversations(state, list.upsertConversation(state.list.conversations, touched));
    }
  }
  return mutationTransition(state, action);
}
