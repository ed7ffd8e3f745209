import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import {
  createChatStore,
  type ChatError,
  type ChatMessage,
  type ChatState,
  type ChatStatus,
  type ChatStore,
  type ChatStoreOptions,
  type RateLimitState,
  type SendResult,
} from '../core/index.js';
import { useChatConfig } from './chat-provider.js';
import { batchToFrames } from './frame-batched-store.js';

/** Options of {@link useChat}: store options, each falling back to the nearest `ChatProvider`. */
export type UseChatOptions = Partial<ChatStoreOptions>;

/** What {@link useChat} returns. */
export interface UseChatResult {
  /** The whole machine state, a union on `status` (narrow it for `error`). */
  state: ChatState;
  messages: ChatMessage[];
  status: ChatStatus;
  /** The last turn's error, or `null`. */
  error: ChatError | null;
  /** The composer's text, owned here so a refused send never loses it. */
  input: string;
  setInput: (text: string) => void;
  /** Sends `input` (or `text`); clears the input only when the send is accepted. */
  submit: (text?: string) => SendResult;
  /** Why the last `submit` was refused (empty, too long, rate-limited, busy), until the input changes. */
  refusal: ChatError | null;
  send: ChatStore['send'];
  stop: ChatStore['stop'];
  retry: ChatStore['retry'];
  regenerate: ChatStore['regenerate'];
  reset: ChatStore['reset'];
  setMessages: ChatStore['setMessages'];
  clearError: ChatStore['clearError'];
  /** The longest input the store accepts, in characters (code points), for a composer's counter. */
  maxInputLength: number;
  /** The client-side limiter's state, for "wait 12 s" UIs. */
  rateLimit: RateLimitState;
  /** The underlying store, to share with other components. */
  store: ChatStore;
}

/** The store options a provider sets for every chat below it (its UI defaults stay out). */
function storeDefaults(config: ReturnType<typeof useChatConfig>): UseChatOptions {
  const { transport, system, maxInputLength, rateLimit, timeoutMs, conversationId, body, generateId, now } = config;
  const picked: UseChatOptions = { transport, system, maxInputLength, rateLimit, timeoutMs, conversationId, body, generateId, now };
  // Unset keys must not override the store's own defaults with `undefined`.
  for (const key of Object.keys(picked) as Array<keyof UseChatOptions>) if (picked[key] === undefined) delete picked[key];
  return picked;
}

function isChatStore(value: unknown): value is ChatStore {
  return typeof value === 'object' && value !== null && 'getState' in value && 'send' in value;
}

/**
 * A turn's boundaries (send, stop, finish, error) render at once; tokens, including the first one that turns
 * `submitting` into `streaming`, wait for the next frame.
 */
const statusChanged = (previous: ChatState, next: ChatState) =>
  previous.status !== next.status && next.status !== 'streaming';

/**
 * Binds a chat to React: pass a store you created with `createChatStore` (you own it), or options (the hook owns
 * the store: created once, stable across re-renders, StrictMode and Fast Refresh; unmounting stops its request).
 * Token updates are coalesced to one commit per animation frame.
 *
 * @example
 * const chat = useChat({ transport: createSseTransport({ url: '/api/chat/stream' }) });
 * chat.submit('Hello');
 */
export function useChat(storeOrOptions?: ChatStore | UseChatOptions): UseChatResult {
  const config = useChatConfig();
  const external = isChatStore(storeOrOptions) ? storeOrOptions : undefined;
  const options = external ? undefined : (storeOrOptions as UseChatOptions | undefined);

  // Callbacks are read when they fire, so inline functions always see the latest props.
  const callbacks = useRef({ onError: options?.onError ?? config.onError, onFinish: options?.onFinish ?? config.onFinish });
  useEffect(() => {
    callbacks.current = { onError: options?.onError ?? config.onError, onFinish: options?.onFinish ?? config.onFinish };
  });

  // The store reads `callbacks` only when a turn ends, never during render.
  // eslint-disable-next-line react-hooks/refs
  const [owned] = useState<ChatStore | undefined>(() => {
    if (external) return undefined;
    const merged: UseChatOptions = { ...storeDefaults(config), ...options };
    if (!merged.transport) {
      throw new TypeError('useChat needs a transport: pass `transport` in its options, or wrap the chat in <ChatProvider transport={…}>.');
    }
    return createChatStore({
      ...merged,
      transport: merged.transport,
      onError: (error) => callbacks.current.onError?.(error),
      onFinish: (message) => callbacks.current.onFinish?.(message),
    });
  });
  const store = (external ?? owned) as ChatStore;

  useEffect(() => {
    if (!owned) return undefined;
    // Stop, not dispose: StrictMode unmounts and remounts the same store, which must keep working.
    return () => owned.stop();
  }, [owned]);

  const view = useMemo(() => batchToFrames(store, statusChanged), [store]);
  const state = useSyncExternalStore(view.subscribe, view.getState, view.getInitialState);
  const limiter = store.rateLimiter;
  const rateLimit = useSyncExternalStore(limiter.subscribe, limiter.getState, limiter.getInitialState);

  const [input, setInputState] = useState('');
  const [refusal, setRefusal] = useState<ChatError | null>(null);
  const setInput = useCallback((text: string) => {
    setInputState(text);
    setRefusal(null);
  }, []);
  const submit = useCallback(
    (text?: string) => {
      const result = store.send(text ?? input);
      if (result.ok) {
        setInputState('');
        setRefusal(null);
      } else {
        setRefusal(result.error);
      }
      return result;
    },
    [store, input],
  );

  return {
    state,
    messages: state.messages,
    status: state.status,
    error: state.status === 'error' ? state.error : null,
    input,
    setInput,
    submit,
    refusal,
    send: store.send,
    stop: store.stop,
    retry: store.retry,
    regenerate: store.regenerate,
    reset: store.reset,
    setMessages: store.setMessages,
    clearError: store.clearError,
    maxInputLength: store.maxInputLength,
    rateLimit,
    store,
  };
}
