import type { ChatError } from './chat-error.js';
import type { ChatMessage, FinishReason, MessagePart, TextPart, Usage } from './message.js';

/** Nothing in flight; the last turn (if any) finished or was stopped. */
export interface IdleState {
  status: 'idle';
  messages: ChatMessage[];
}

/** A turn is in flight. `submitting`: no answer text yet; `streaming`: text is arriving. */
export interface BusyState {
  status: 'submitting' | 'streaming';
  messages: ChatMessage[];
  /** The turn every action must name to be applied; a stale turn's actions are dropped. */
  turnId: string;
  /** The id the assistant's answer gets when its first event arrives. */
  assistantId: string;
}

/** The last turn failed; `error` says why. Messages keep everything the user typed and the model sent. */
export interface ErrorState {
  status: 'error';
  messages: ChatMessage[];
  error: ChatError;
}

/**
 * The chat state machine's state: a union on `status`, so a field exists only where it means something.
 * @see {@link chatTransition}
 */
export type ChatState = IdleState | BusyState | ErrorState;

/** Every status a chat can be in. */
export type ChatStatus = ChatState['status'];

/**
 * What can happen to a chat. Times and ids come in the action, so {@link chatTransition} stays pure.
 * (`ChatEvent` is what a transport yields; the store turns events into actions.)
 */
export type ChatAction =
  | { type: 'submit'; turnId: string; assistantId: string; messages: ChatMessage[] }
  | { type: 'start'; turnId: string; messageId: string }
  | { type: 'delta'; turnId: string; content: string; at: string }
  | { type: 'usage'; turnId: string; usage: Usage; at: string }
  | {
      type: 'finish';
      turnId: string;
      at: string;
      finishReason?: FinishReason;
      /** Parts of the server's final copy: authoritative, they replace what streamed (and keep unknown parts). */
      parts?: MessagePart[];
    }
  | { type: 'fail'; turnId: string; error: ChatError; at: string }
  | { type: 'stop'; turnId: string; at: string }
  | { type: 'replace'; messages: ChatMessage[] }
  /** Older messages (a history page, oldest first) go before the visible ones; any turn in flight goes on. */
  | { type: 'prepend'; messages: ChatMessage[] }
  | { type: 'clearError' };

/** The state a chat starts in. */
export function initialChatState(messages: ChatMessage[] = []): ChatState {
  return { status: 'idle', messages };
}

/** True while a turn is in flight. */
export function isBusy(state: ChatState): state is BusyState {
  return state.status === 'submitting' || state.status === 'streaming';
}

/**
 * The chat's pure transition function: returns the next state, or the *same* object when the action does not apply
 * (a stale turn, a submit while busy), so subscribers can compare by identity.
 */
export function chatTransition(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'submit':
      if (isBusy(state)) return state;
      return { status: 'submitting', messages: action.messages, turnId: action.turnId, assistantId: action.assistantId };
    case 'replace':
      return { status: 'idle', messages: action.messages };
    case 'clearError':
      return state.status === 'error' ? { status: 'idle', messages: state.messages } : state;
    case 'prepend': {
      const older = olderMessages(state.messages, action.messages);
      return older.length === 0 ? state : { ...state, messages: [...older, ...state.messages] };
    }
  }
  if (!isBusy(state) || state.turnId !== action.turnId) return state;
  switch (action.type) {
    case 'start': {
      // Adopt the server's id for the answer; if text already arrived, the answer row is renamed, never copied.
      const index = answerIndex(state);
      if (index < 0) return { ...state, assistantId: action.messageId };
      const messages = state.messages.slice();
      messages[index] = { ...(messages[index] as ChatMessage), id: action.messageId };
      return { ...state, assistantId: action.messageId, messages };
    }
    case 'delta': {
      if (action.content === '') return state;
      const messages = withAssistant(state, action.at, (answer) => ({ ...answer, parts: appendText(answer.parts, action.content) }));
      return { ...state, status: 'streaming', messages };
    }
    case 'usage':
      return { ...state, messages: withAssistant(state, action.at, (answer) => ({ ...answer, usage: action.usage })) };
    case 'finish': {
      const messages = withAssistant(state, action.at, (answer) => ({
        ...answer,
        parts: action.parts ?? closeParts(answer.parts),
        status: 'complete',
        ...(action.finishReason === undefined ? {} : { finishReason: action.finishReason }),
      }));
      return { status: 'idle', messages };
    }
    case 'fail':
      return { status: 'error', messages: endTurn(state, 'error'), error: action.error };
    case 'stop':
      return { status: 'idle', messages: endTurn(state, 'cancelled') };
  }
}

/**
 * The messages of `page` that belong before `shown`, merged by id: those older than the first shown message when the
 * page holds it, never one already shown. A page loaded after a send started may end with that turn's question
 * (and a partial answer): the live copies win, so nothing is duplicated and the turn keeps streaming.
 */
function olderMessages(shown: ChatMessage[], page: ChatMessage[]): ChatMessage[] {
  const ids = new Set(shown.map((message) => message.id));
  const first = shown[0];
  const cut = first === undefined ? -1 : page.findIndex((message) => message.id === first.id);
  return (cut < 0 ? page : page.slice(0, cut)).filter((message) => !ids.has(message.id));
}

/** Index of the turn's assistant message, which is always last when present. */
function answerIndex(state: BusyState): number {
  const last = state.messages.length - 1;
  return state.messages[last]?.id === state.assistantId ? last : -1;
}

/** Applies `update` to the turn's answer, creating it (and marking the question delivered) on first use. */
function withAssistant(state: BusyState, at: string, update: (answer: ChatMessage) => ChatMessage): ChatMessage[] {
  const index = answerIndex(state);
  if (index >= 0) {
    const messages = state.messages.slice();
    messages[index] = update(messages[index] as ChatMessage);
    return messages;
  }
  const messages = state.messages.map((message, i) =>
    i === state.messages.length - 1 && message.status === 'pending' ? { ...message, status: 'complete' as const } : message,
  );
  const parent = messages[messages.length - 1];
  const answer: ChatMessage = {
    id: state.assistantId,
    parentId: parent?.id ?? null,
    role: 'assistant',
    parts: [],
    createdAt: at,
    status: 'streaming',
  };
  messages.push(update(answer));
  return messages;
}

/** Ends the turn: an answer keeps its text with `status`; with no answer, the question carries `status`. */
function endTurn(state: BusyState, status: 'error' | 'cancelled'): ChatMessage[] {
  const index = answerIndex(state);
  const messages = state.messages.slice();
  if (index >= 0) {
    const answer = messages[index] as ChatMessage;
    messages[index] = { ...answer, status, parts: closeParts(answer.parts) };
    return messages;
  }
  const last = messages.length - 1;
  const question = messages[last];
  if (question && question.status === 'pending') messages[last] = { ...question, status };
  return messages;
}

function appendText(parts: MessagePart[], text: string): MessagePart[] {
  const last = parts[parts.length - 1];
  if (last && last.type === 'text' && (last as TextPart).state === 'streaming') {
    const next = parts.slice();
    next[next.length - 1] = { ...(last as TextPart), text: (last as TextPart).text + text };
    return next;
  }
  return [...parts, { type: 'text', text, state: 'streaming' }];
}

function closeParts(parts: MessagePart[]): MessagePart[] {
  return parts.some((part) => part.state === 'streaming')
    ? parts.map((part) => (part.state === 'streaming' ? { ...part, state: 'done' } : part))
    : parts;
}
