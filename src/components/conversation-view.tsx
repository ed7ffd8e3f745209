import { useImperativeHandle, type ComponentProps, type ReactNode, type Ref } from 'react';
import type { MessageHistoryState } from '../core/index.js';
import type { UseChatResult } from '../react/index.js';
import { useLabels } from './labels.js';
import { cn } from './cn.js';
import { ChatInputArea } from './chat-input-area.js';
import { EmptyState } from './empty-state.js';
import { ErrorBanner } from './error-banner.js';
import { MessageList } from './message-list.js';
import { TypingIndicator } from './typing-indicator.js';
import { canRetry } from './retry-rules.js';
import { useComposerFocus } from './use-composer-focus.js';

/** Props of {@link ConversationView}. */
export interface ConversationViewProps extends Omit<ComponentProps<'div'>, 'children'> {
  /** The conversation's chat, e.g. `useConversationChat(conversations)`. */
  chat: UseChatResult;
  /** Which conversation is shown (`null`: a new one); a new id opens a fresh log, scrolled to its newest message. */
  conversationId?: string | null;
  /** How its stored messages load (`useConversations().history`); `undefined` for a new conversation. */
  history?: MessageHistoryState;
  /** Loads the page of older messages (`useConversations().loadOlder`). */
  onLoadOlder?: () => void;
  /** Loads the newest messages again after a failure. */
  onReloadHistory?: () => void;
  welcomeMessage?: ReactNode;
  starterPrompts?: readonly string[];
  placeholder?: string;
  /** Focus the composer on mount. @defaultValue false */
  autoFocus?: boolean;
  /** A ref to the composer's textarea. */
  inputRef?: Ref<HTMLTextAreaElement>;
}

const linkButtonClass =
  'rounded-control px-2 py-1 text-sm font-medium text-link underline-offset-2 outline-hidden hover:underline focus-visible:ring-2 focus-visible:ring-ring';

/** The row above the messages: "Load older messages", loading, or the failure with Retry. */
function OlderMessages({ history, onLoadOlder }: { history: MessageHistoryState | undefined; onLoadOlder?: () => void }) {
  const labels = useLabels();
  if (history?.status !== 'ready' || history.nextCursor === null) return null;
  const { older } = history;
  return (
    <div data-slot="older-messages" data-status={older.status} className="flex items-center justify-center gap-2 text-sm text-muted-foreground">
      {older.status === 'loading' ? <p>{labels.loadingOlderMessages}</p> : null}
      {older.status === 'error' ? <p>{labels.olderMessagesFailed}</p> : null}
      {older.status !== 'loading' && onLoadOlder ? (
        <button type="button" onClick={onLoadOlder} className={linkButtonClass}>
          {older.status === 'error' ? labels.retry : labels.loadOlderMessages}
        </button>
      ) : null}
    </div>
  );
}

/**
 * One persisted conversation's chat: its messages (with older pages loaded as the user scrolls up, keeping their
 * place), a loading state while the newest page arrives, the empty state for a new conversation, the error banner
 * and the composer. `ChatView`'s parts, arranged for history.
 *
 * @selector [data-slot=conversation-view] - parts: `history-loading`, `older-messages`
 * @selector [data-history=loading|ready|error] - how the stored messages load (absent for a new conversation)
 */
export function ConversationView({
  chat,
  conversationId = null,
  history,
  onLoadOlder,
  onReloadHistory,
  welcomeMessage,
  starterPrompts,
  placeholder,
  autoFocus = false,
  inputRef,
  className,
  ...props
}: ConversationViewProps) {
  const labels = useLabels();
  const { input, refocus, retry, regenerate } = useComposerFocus(chat);
  // The textarea exists from the first commit on, when the handle is read.
  useImperativeHandle(inputRef, () => input.current as HTMLTextAreaElement, [input]);
  const empty = chat.messages.length === 0;
  const older = history?.status === 'ready' ? history : undefined;

  let body: ReactNode;
  if (empty && history?.status === 'loading') {
    body = (
      <div data-slot="history-loading" className="flex min-h-0 flex-1 flex-col gap-4 px-4 py-4">
        <span role="status" className="sr-only">
          {labels.loadingMessages}
        </span>
        {['w-3/5', 'w-2/5', 'w-3/4'].map((width, index) => (
          <div key={width} aria-hidden="true" className={cn('mx-auto flex w-full max-w-3xl', index % 2 === 0 ? 'justify-end' : 'justify-start')}>
            <div className={cn('h-12 animate-pulse rounded-bubble bg-muted', width)} />
          </div>
        ))}
      </div>
    );
  } else if (empty && history?.status === 'error') {
    body = (
      <div className="mx-auto flex w-full max-w-3xl flex-1 flex-col justify-center px-4">
        <ErrorBanner error={history.error} onRetry={onReloadHistory} />
      </div>
    );
  } else if (empty) {
    body = (
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
    );
  } else {
    body = (
      <MessageList
        key={conversationId ?? 'new'}
        messages={chat.messages}
        status={chat.status}
        onRetry={canRetry(chat) ? retry : undefined}
        onRegenerate={regenerate}
        header={<OlderMessages history={history} onLoadOlder={onLoadOlder} />}
        // Only while idle: a failed page waits for its Retry instead of being asked for on every scroll.
        onReachTop={older?.older.status === 'idle' ? onLoadOlder : undefined}
        hasOlder={older !== undefined && older.nextCursor !== null}
        loadingOlder={older?.older.status === 'loading'}
        footer={chat.status === 'submitting' ? <TypingIndicator className="ms-11" /> : undefined}
      />
    );
  }

  return (
    <div data-slot="conversation-view" data-history={history?.status} {...props} className={cn('flex min-h-0 flex-1 flex-col', className)}>
      {body}
      <ChatInputArea chat={chat} onRetry={retry} inputRef={input} placeholder={placeholder} autoFocus={autoFocus} />
    </div>
  );
}
