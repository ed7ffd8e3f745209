import type { ReactNode } from 'react';
import type { UseChatResult } from '../react/index.js';
import { ChatRoot, type ChatRootProps } from './chat-root.js';
import { cn } from './cn.js';
import { ChatInputArea } from './chat-input-area.js';
import { EmptyState } from './empty-state.js';
import { MessageList } from './message-list.js';
import { TypingIndicator } from './typing-indicator.js';
import { canRetry } from './retry-rules.js';
import { useComposerFocus } from './use-composer-focus.js';

/** Props of {@link ChatView}. */
export interface ChatViewProps extends Omit<ChatRootProps, 'title' | 'children'> {
  /** The chat to show, from `useChat`. */
  chat: UseChatResult;
  /** A heading above the conversation. */
  title?: ReactNode;
  /** Greeting shown while the conversation is empty. */
  welcomeMessage?: ReactNode;
  /** Suggested first messages, sent on click. */
  starterPrompts?: readonly string[];
  /** The composer's placeholder. */
  placeholder?: string;
  /** Focus the composer on mount. @defaultValue false */
  autoFocus?: boolean;
}

/**
 * The standard arrangement of parts around one `useChat` result: optional header, the conversation (or the empty
 * state), the error banner and the composer. Every composition renders this; rebuild it from the same parts when
 * you need another layout.
 *
 * @selector [data-slot=chat-header]
 */
export function ChatView({
  chat,
  title,
  welcomeMessage,
  starterPrompts,
  placeholder,
  autoFocus = false,
  className,
  ...props
}: ChatViewProps) {
  const { input, refocus, retry, regenerate } = useComposerFocus(chat);

  return (
    <ChatRoot className={cn('h-full', className)} {...props}>
      {title !== undefined && (
        <header data-slot="chat-header" className="border-b border-border px-4 py-3">
          <h2 className="text-base font-semibold">{title}</h2>
        </header>
      )}
      {chat.messages.length === 0 ? (
        <div className="flex min-h-0 flex-1 flex-col justify-center overflow-y-auto">
          <EmptyState
            welcomeMessage={welcomeMessage}
            starterPrompts={starterPrompts}
            onPromptSelect={(prompt) => {
              chat.submit(prompt);
              refocus();
            }}
          />
        </div>
      ) : (
        <MessageList
          messages={chat.messages}
          status={chat.status}
          onRetry={canRetry(chat) ? retry : undefined}
          onRegenerate={regenerate}
          footer={chat.status === 'submitting' ? <TypingIndicator className="ms-11" /> : undefined}
        />
      )}
      <ChatInputArea chat={chat} onRetry={retry} inputRef={input} placeholder={placeholder} autoFocus={autoFocus} />
    </ChatRoot>
  );
}
