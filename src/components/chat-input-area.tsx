import type { ComponentProps, Ref } from 'react';
import type { UseChatResult } from '../react/index.js';
import { cn } from './cn.js';
import { Composer } from './composer.js';
import { ErrorBanner } from './error-banner.js';
import { rateLimitRetryAt } from './retry-rules.js';

/** Props of {@link ChatInputArea}. */
export interface ChatInputAreaProps extends Omit<ComponentProps<'div'>, 'children'> {
  /** The chat to drive, from `useChat`. */
  chat: UseChatResult;
  /** Retry from the banner. @defaultValue `chat.retry` */
  onRetry?: () => void;
  /** A ref to the composer's textarea, to return focus to it after actions elsewhere. */
  inputRef?: Ref<HTMLTextAreaElement>;
  placeholder?: string;
  /** Focus the composer on mount. @defaultValue false */
  autoFocus?: boolean;
}

/**
 * The bottom of a chat, bound to one `useChat` result: the error banner (with its Retry, countdown and Dismiss)
 * above the composer (send, stop, limit counter, rate-limit countdown, refusals). `ChatView` and
 * `ConversationView` both use it; use it in your own layout the same way.
 *
 * @selector [data-slot=chat-input-area]
 */
export function ChatInputArea({ chat, onRetry, inputRef, placeholder, autoFocus = false, className, ...props }: ChatInputAreaProps) {
  const busy = chat.status === 'submitting' || chat.status === 'streaming';
  return (
    <div data-slot="chat-input-area" className={cn('mx-auto flex w-full max-w-3xl flex-col gap-2 px-4 pb-4', className)} {...props}>
      <ErrorBanner error={chat.error} onRetry={onRetry ?? chat.retry} onDismiss={chat.clearError} retryAt={rateLimitRetryAt(chat)} />
      <Composer
        value={chat.input}
        onValueChange={chat.setInput}
        onSubmit={(text) => chat.submit(text)}
        onStop={chat.stop}
        busy={busy}
        maxLength={chat.maxInputLength}
        rateLimitedUntil={chat.rateLimit.availableAt}
        error={chat.refusal}
        placeholder={placeholder}
        autoFocus={autoFocus}
        inputRef={inputRef}
      />
    </div>
  );
}
