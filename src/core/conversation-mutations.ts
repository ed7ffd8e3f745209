import * as list from './conversation-list.js';
import type { ConversationState, MessageHistoryState, MutationAction, MutationFailure } from './conversation-machine.js';
import type { Conversation } from './history-wire.js';

const READY_EMPTY: MessageHistoryState = { status: 'ready', nextCursor: null, older: { status: 'idle' } };

/** `state` with `conversation` listed (replacing the copy with its id), in the protocol's order. */
function upsert(state: ConversationState, conversation: Conversation): ConversationState {
  return list.withConversations(state, list.upsertConversation(state.list.conversations, conversation));
}

/** `state` without the conversation `id` in the list or the selection. */
function drop(state: ConversationState, id: string): ConversationState {
  const next = list.withConversations(state, list.removeConversation(state.list.conversations, id));
  return next.selectedId === id ? { ...next, selectedId: null } : next;
}

/** `state` with the conversation's mutation settled, and the failure to report (if any). */
function settle(state: ConversationState, id: string, failure: MutationFailure | null = state.failure): ConversationState {
  return { ...state, pending: list.withoutEntry(state.pending, id), failure };
}

/** The transitions of optimistic changes: applied at once, then confirmed, or rolled back with a failure notice. */
export function mutationTransition(state: ConversationState, action: MutationAction): ConversationState {
  const id = 'conversation' in action ? action.conversation.id : action.conversationId;
  const pending = list.ownValue(state.pending, id);
  const current = list.findConversation(state, id);
  switch (action.type) {
    case 'createStart': {
      const next = upsert(state, action.conversation);
      return {
        ...next,
        pending: list.withEntry(state.pending, id, { kind: 'create', status: 'saving' }),
        histories: list.ownValue(state.histories, id) ? state.histories : list.withEntry(state.histories, id, READY_EMPTY),
        selectedId: action.select ? id : state.selectedId,
      };
    }
    case 'createDone':
      return pending?.kind === 'create' ? settle(upsert(state, list.reconcileCreated(current, action.conversation)), id) : state;
    case 'createFailed': {
      if (pending?.kind !== 'create') return state;
      if (action.keep) {
        return { ...state, pending: list.withEntry(state.pending, id, { kind: 'create', status: 'failed', error: action.error }) };
      }
      const dropped = { ...drop(state, id), histories: list.withoutEntry(state.histories, id) };
      return settle(dropped, id, { operation: 'create', conversationId: id, error: action.error });
    }
    case 'renameStart': {
      if (pending !== undefined || current === undefined) return state;
      const renamed = { ...current, title: action.title, updatedAt: list.laterTime(current.updatedAt, action.at) };
      return { ...upsert(state, renamed), pending: list.withEntry(state.pending, id, { kind: 'rename', previous: current }) };
    }
    case 'renameDone':
      return pending?.kind === 'rename' ? settle(upsert(state, action.conversation), id) : state;
    case 'renameFailed':
    case 'removeFailed': {
      const operation = action.type === 'renameFailed' ? 'rename' : 'remove';
      if (pending?.kind !== operation) return state;
      return settle(upsert(state, pending.previous), id, { operation, conversationId: id, error: action.error });
    }
    case 'removeStart':
      if (pending !== undefined || current === undefined) return state;
      return { ...drop(state, id), pending: list.withEntry(state.pending, id, { kind: 'remove', previous: current }) };
    case 'removeDone':
      return settle({ ...drop(state, id), histories: list.withoutEntry(state.histories, id) }, id);
  }
}
