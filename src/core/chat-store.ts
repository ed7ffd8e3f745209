import { ChatError, toChatError } from './chat-error.js';
import { chatTransition, initialChatState, isBusy, type ChatAction, type ChatState } from './chat-machine.js';
import { createExternalStore, type ReadableStore } from './external-store.js';
import { characterCount, type ChatMessage } from './message.js';
import { createRateLimiter, type RateLimitOptions, type RateLimiter } from './rate-limiter.js';
import type { ChatRequest, ChatTransport } from './transport.js';

/** Options of {@link createChatStore}. */
export interface ChatStoreOptions {
  /** Where turns go: {@link createSseTransport}, {@link createJsonTransport}, {@link createFunctionTransport} or your own. */
  transport: ChatTransport;
  /** Messages shown before the first send (a restored conversation, a greeting). */
  initialMessages?: ChatMessage[];
  /**
   * A system prompt sent at the head of every request (never shown in `messages`). Servers built with
   * `colloquy/server` refuse client system prompts unless they opt in: prefer setting it on the server.
   */
  system?: string;
  /** Longest accepted input, in characters (Unicode code points, as servers count them). @defaultValue 4000 */
  maxInputLength?: number;
  /** A shared limiter, or options for a private one. A server 429 blocks it in any case. */
  rateLimit?: RateLimiter | RateLimitOptions;
  /** Aborts a turn that takes longer than this, in ms, with a `timeout` error. @defaultValue no limit */
  timeoutMs?: number;
  /** Server-side conversation id sent with every request. */
  conversationId?: string;
  /** Extra JSON fields sent with every request. */
  body?: Record<string, unknown>;
  /** Called once per failed turn (not for `stop()`). */
  onError?: (error: ChatError) => void;
  /** Called with the finished answer. */
  onFinish?: (message: ChatMessage) => void;
  /** Id source for messages and turns. @defaultValue `crypto.randomUUID` */
  generateId?: () => string;
  /** Clock for `createdAt`. @defaultValue `() => new Date()` */
  now?: () => Date;
}

/** The answer to a send: refused up front with a typed error, or accepted with a promise of the turn's end. */
export type SendResult =
  | {
      ok: true;
      /** Resolves with the turn's answer (complete, cancelled or failed; `undefined` when none arrived). Never rejects. */
      done: Promise<ChatMessage | undefined>;
    }
  | { ok: false; error: ChatError };

/** Per-send options. */
export interface SendOptions {
  /** Extra JSON fields for this request only. */
  body?: Record<string, unknown>;
}

/**
 * A chat: the state machine plus the effects (requests, aborts, timers) that feed it.
 * Follows the store contract: bound `subscribe`, immutable `getState`, `getInitialState`.
 */
export interface ChatStore extends ReadableStore<ChatState> {
  /** The limiter this chat consults before every request. */
  readonly rateLimiter: RateLimiter;
  /** The longest input `send` accepts, in characters (code points). */
  readonly maxInputLength: number;
  /** Sends the user's text. Refused (nothing sent) when empty, too long, rate-limited or while a turn is in flight. */
  send: (text: string, options?: SendOptions) => SendResult;
  /** Stops the turn in flight; the answer keeps the text received so far, marked `cancelled`. */
  stop: () => void;
  /** Sends the last failed or cancelled turn again, with the same user message (same id). */
  retry: (options?: SendOptions) => SendResult;
  /** Replaces the last answer with a new one for the same question. */
  regenerate: (options?: SendOptions) => SendResult;
  /** Aborts any turn and returns to the initial messages. */
  reset: () => void;
  /** Aborts any turn and shows `messages` instead. */
  setMessages: (messages: ChatMessage[]) => void;
  /**
   * Shows older messages (a history page, oldest first) before the visible ones, merged by id, without touching a
   * turn in flight: a page that overlaps what is shown adds only what is missing.
   */
  prependMessages: (messages: ChatMessage[]) => void;
  /** Dismisses the current error, keeping every message. */
  clearError: () => void;
  /** Aborts everything and stops timers; the store does nothing afterwards. */
  dispose: () => void;
}

interface Turn {
  id: string;
  controller: AbortController;
  timer?: ReturnType<typeof setTimeout>;
}

function textMessage(id: string, role: ChatMessage['role'], text: string, parentId: string | null, createdAt: string): ChatMessage {
  return { id, parentId, role, parts: [{ type: 'text', text, state: 'done' }], createdAt, status: 'pending' };
}

/**
 * Creates a chat store. Framework-agnostic: bind it with `useChat` in React, or subscribe from any script.
 *
 * @example
 * const chat = createChatStore({ transport: createSseTransport({ url: '/api/chat/stream' }) });
 * chat.subscribe(() => render(chat.getState()));
 * chat.send('Hello!');
 */
export function createChatStore(options: ChatStoreOptions): ChatStore {
  const { transport, maxInputLength = 4000 } = options;
  const generateId = options.generateId ?? (() => crypto.randomUUID());
  const now = options.now ?? (() => new Date());
  const ownsLimiter = !options.rateLimit || !('tryAcquire' in options.rateLimit);
  const rateLimiter: RateLimiter =
    options.rateLimit && 'tryAcquire' in options.rateLimit ? options.rateLimit : createRateLimiter(options.rateLimit);
  const store = createExternalStore(initialChatState(options.initialMessages ?? []));
  let turn: Turn | undefined;
  let disposed = false;

  const dispatch = (action: ChatAction) => store.setState(chatTransition(store.getState(), action));
  const at = () => now().toISOString();

  function endTurn(current: Turn) {
    if (current.timer !== undefined) clearTimeout(current.timer);
    if (turn === current) turn = undefined;
  }

  function abortTurn() {
    if (!turn) return;
    const current = turn;
    endTurn(current);
    current.controller.abort(new ChatError('aborted', 'The request was cancelled.'));
  }

  function refuse(code: ChatError['code'], message: string, extra: { retryAfterMs?: number } = {}): SendResult {
    return { ok: false, error: new ChatError(code, message, extra) };
  }

  /** Starts a turn for `messages` (ending with the user's pending message), after the shared checks. */
  function start(messages: ChatMessage[], sendOptions: SendOptions | undefined): SendResult {
    if (disposed) return refuse('aborted', 'This chat has been disposed.');
    if (isBusy(store.getState())) return refuse('conflict', 'Wait for the current answer to finish, or stop it first.');
    const permit = rateLimiter.tryAcquire();
    if (!permit.ok) {
      const seconds = Math.ceil(permit.retryAfterMs / 1000);
      return refuse('rate_limited', `Too many messages. Try again in ${seconds} s.`, { retryAfterMs: permit.retryAfterMs });
    }
    const current: Turn = { id: generateId(), controller: new AbortController() };
    turn = current;
    const assistantId = generateId();
    dispatch({ type: 'submit', turnId: current.id, assistantId, messages });
    if (options.timeoutMs !== undefined) {
      current.timer = setTimeout(() => {
        current.controller.abort(new ChatError('timeout', 'The answer took too long.'));
      }, options.timeoutMs);
    }
    const request: ChatRequest = {
      messages: options.system ? [systemMessage(options.system), ...messages] : messages,
      ...(options.conversationId === undefined ? {} : { conversationId: options.conversationId }),
      ...(options.body || sendOptions?.body ? { body: { ...options.body, ...sendOptions?.body } } : {}),
    };
    return { ok: true, done: run(current, request, assistantId) };
  }

  function systemMessage(text: string): ChatMessage {
    return { ...textMessage('system', 'system', text, null, new Date(0).toISOString()), status: 'complete' };
  }

  async function run(current: Turn, request: ChatRequest, proposedId: string): Promise<ChatMessage | undefined> {
    const { signal } = current.controller;
    // The answer's id changes at most once, when the server names it (a 'start' event).
    let assistantId = proposedId;
    try {
      let finished = false;
      for await (const event of transport.send(request, { signal })) {
        if (turn !== current) break;
        if (event.type === 'start') {
          assistantId = event.messageId;
          dispatch({ type: 'start', turnId: current.id, messageId: event.messageId });
        }
        else if (event.type === 'delta') dispatch({ type: 'delta', turnId: current.id, content: event.content, at: at() });
        else if (event.type === 'usage') dispatch({ type: 'usage', turnId: current.id, usage: event.usage, at: at() });
        else if (event.type === 'done') {
          dispatch({
            type: 'finish',
            turnId: current.id,
            at: at(),
            ...(event.finishReason === undefined ? {} : { finishReason: event.finishReason }),
            ...(event.message?.parts ? { parts: event.message.parts } : {}),
          });
          finished = true;
          break;
        }
      }
      if (turn === current && !finished) {
        fail(current, new ChatError('bad_response', 'The answer ended before it was complete.'));
      } else if (finished) {
        endTurn(current);
        const answer = findAnswer(assistantId);
        if (answer) options.onFinish?.(answer);
      }
    } catch (error) {
      if (turn === current) {
        // A timeout aborts with a ChatError reason; report that rather than the transport's generic 'aborted'.
        const reason: unknown = signal.aborted ? signal.reason : undefined;
        fail(current, reason instanceof ChatError ? reason : toChatError(error));
      }
    }
    return findAnswer(assistantId);
  }

  function fail(current: Turn, error: ChatError) {
    endTurn(current);
    if (error.code === 'rate_limited' && error.retryAfterMs !== undefined) rateLimiter.blockFor(error.retryAfterMs);
    dispatch({ type: 'fail', turnId: current.id, error, at: at() });
    options.onError?.(error);
  }

  function findAnswer(assistantId: string): ChatMessage | undefined {
    const messages = store.getState().messages;
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.id === assistantId) return messages[i];
    return undefined;
  }

  function stop() {
    if (!turn || !isBusy(store.getState())) return;
    const turnId = turn.id;
    abortTurn();
    dispatch({ type: 'stop', turnId, at: at() });
  }

  /** Resends from the last user message; `allowComplete` lets a finished answer be replaced (regenerate). */
  function resend(allowComplete: boolean, sendOptions: SendOptions | undefined): SendResult {
    const state = store.getState();
    if (isBusy(state)) return refuse('conflict', 'Wait for the current answer to finish, or stop it first.');
    const { messages } = state;
    let index = messages.length - 1;
    while (index >= 0 && messages[index]?.role !== 'user') index--;
    const question = messages[index];
    if (!question) return refuse('invalid_input', 'There is no message to send again.');
    const answer = messages[index + 1];
    const retryable =
      state.status === 'error' ||
      question.status === 'error' ||
      question.status === 'cancelled' ||
      answer?.status === 'cancelled' ||
      answer?.status === 'error';
    if (!retryable && !(allowComplete && answer)) return refuse('invalid_input', 'The last answer is complete; nothing to retry.');
    return start([...messages.slice(0, index), { ...question, status: 'pending' }], sendOptions);
  }

  return {
    subscribe: store.subscribe,
    getState: store.getState,
    getInitialState: store.getInitialState,
    rateLimiter,
    maxInputLength,
    send(text, sendOptions) {
      if (disposed) return refuse('aborted', 'This chat has been disposed.');
      if (text.trim() === '') return refuse('invalid_input', 'Type a message first.');
      const length = characterCount(text);
      if (length > maxInputLength) {
        return refuse('message_too_long', `The message is ${length} characters; the limit is ${maxInputLength}.`);
      }
      const { messages } = store.getState();
      const parentId = messages[messages.length - 1]?.id ?? null;
      if (isBusy(store.getState())) return refuse('conflict', 'Wait for the current answer to finish, or stop it first.');
      return start([...messages, textMessage(generateId(), 'user', text, parentId, at())], sendOptions);
    },
    stop,
    retry: (sendOptions) => resend(false, sendOptions),
    regenerate: (sendOptions) => resend(true, sendOptions),
    reset() {
      abortTurn();
      store.setState(store.getInitialState());
    },
    setMessages(messages) {
      abortTurn();
      dispatch({ type: 'replace', messages });
    },
    prependMessages: (messages) => dispatch({ type: 'prepend', messages }),
    clearError: () => dispatch({ type: 'clearError' }),
    dispose() {
      stop();
      disposed = true;
      if (ownsLimiter) rateLimiter.dispose();
    },
  };
}
