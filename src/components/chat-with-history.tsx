import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { ConversationStore, HistoryTransport } from '../core/index.js';
import { useConversationChat, useConversations, type UseConversationsOptions } from '../react/index.js';
import { useLabels } from './labels.js';
import { ChatRoot, type ChatRootProps } from './chat-root.js';
import { cn } from './cn.js';
import { ConversationDrawer } from './conversation-drawer.js';
import { ConversationList } from './conversation-list.js';
import { ConversationView } from './conversation-view.js';

/** Props of {@link ChatWithHistory}. */
export interface ChatWithHistoryProps extends Omit<ChatRootProps, 'title' | 'children'> {
  /** Where the history endpoints live (when neither `transport` nor `store` is given). @defaultValue '/api' */
  baseUrl?: string;
  /** The history endpoints, e.g. `createHistoryTransport({ baseUrl, credentials: 'include' })`. Read once, on mount. */
  transport?: HistoryTransport;
  /** A conversation store you own (`createConversationStore`); `baseUrl`, `transport` and `conversationOptions` are then ignored. */
  store?: ConversationStore;
  /** Options of the conversation store the component creates (page sizes, chat limits, clock, ids). Read once, on mount. */
  conversationOptions?: Omit<UseConversationsOptions, 'transport' | 'baseUrl'>;
  /** A conversation to open on mount. @defaultValue none: a new conversation */
  defaultConversationId?: string;
  /** The heading shown while no conversation is open. */
  title?: ReactNode;
  /** Greeting shown in a new conversation. */
  welcomeMessage?: ReactNode;
  /** Suggested first messages, sent on click. */
  starterPrompts?: readonly string[];
  placeholder?: string;
  /** The moment the list's relative dates count from: fix it for stable screenshots. @defaultValue the current time */
  now?: Date | (() => Date);
}

/**
 * A chat with persisted history (the guide's Pattern 4): the conversations in a sidebar (a drawer below the `md`
 * breakpoint) and the open conversation's chat, which loads older messages as the user scrolls up. The first
 * message of a new chat creates the conversation. Talks to docs/protocol.md's history endpoints.
 *
 * @selector [data-slot=chat-root] - the root (a `ChatRoot`); parts: `chat-history-sidebar`, `chat-history-main`,
 *   `chat-header`, `conversations-toggle`, and those of `ConversationList`, `ConversationView`, `ConversationDrawer`
 * @selector [data-drawer-open] - on the root while the drawer is open (small screens)
 *
 * @example
 * <ChatWithHistory baseUrl="/api" title="Assistant" starterPrompts={['What can you do?']} />
 */
export function ChatWithHistory({
  baseUrl,
  transport,
  store,
  conversationOptions,
  defaultConversationId,
  title,
  welcomeMessage,
  starterPrompts,
  placeholder,
  now,
  className,
  ...props
}: ChatWithHistoryProps) {
  const labels = useLabels();
  const conversations = useConversations(store ?? { ...conversationOptions, transport, baseUrl });
  const chat = useConversationChat(conversations, { maxInputLength: conversationOptions?.chat?.maxInputLength });
  const [drawerOpen, setDrawerOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const drawerId = useId();
  const { select, selectedId, selected, loadOlder } = conversations;
  // Stable, so the message list does not see a new `onReachTop` on every render.
  const loadOlderPage = useCallback(() => void loadOlder(), [loadOlder]);

  useEffect(() => {
    if (defaultConversationId !== undefined) select(defaultConversationId);
  }, [select, defaultConversationId]);

  const heading = selected?.title ?? (selectedId === null ? title : undefined);
  const list = (
    <ConversationList
      list={conversations.list}
      selectedId={selectedId}
      pending={conversations.state.pending}
      failure={conversations.failure}
      now={now}
      className="flex-1"
      onSelect={(id) => {
        select(id);
        setDrawerOpen(false);
      }}
      onCreate={() => {
        select(null);
        // In the drawer, focus goes back to its toggle as it closes; beside the sidebar, on to the composer.
        if (drawerOpen) setDrawerOpen(false);
        else input.current?.focus();
      }}
      onRename={(id, text) => void conversations.rename(id, text)}
      onRemove={(id) => void conversations.remove(id)}
      onLoadMore={() => void conversations.loadMore()}
      onRetry={() => void conversations.reload()}
      onDismissFailure={conversations.dismissFailure}
    />
  );

  return (
    <ChatRoot
      data-drawer-open={drawerOpen ? '' : undefined}
      className={cn('relative h-full flex-row gap-0', className)}
      {...props}
    >
      <div data-slot="chat-history-sidebar" inert={drawerOpen} className="hidden w-72 shrink-0 flex-col border-e border-border bg-surface md:flex">
        {list}
      </div>
      <div data-slot="chat-history-main" inert={drawerOpen} className="flex min-w-0 flex-1 flex-col">
        <header data-slot="chat-header" className={cn('flex items-center gap-2 border-b border-border px-4 py-3', heading === undefined && 'md:hidden')}>
          <button
            ref={toggle}
            type="button"
            data-slot="conversations-toggle"
            aria-label={labels.showConversations}
            aria-expanded={drawerOpen}
            aria-controls={drawerOpen ? drawerId : undefined}
            onClick={() => setDrawerOpen(true)}
            className="-ms-2 inline-flex size-9 shrink-0 items-center justify-center rounded-control text-foreground outline-hidden hover:bg-muted focus-visible:ring-2 focus-visible:ring-ring md:hidden"
          >
            <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
              <path d="M4 6h16M4 12h16M4 18h16" />
            </svg>
          </button>
          {heading !== undefined ? <h2 className="min-w-0 truncate text-base font-semibold">{heading}</h2> : null}
        </header>
        <ConversationView
          chat={chat}
          conversationId={selectedId}
          history={conversations.history}
          onLoadOlder={loadOlderPage}
          onReloadHistory={() => selectedId !== null && select(selectedId)}
          welcomeMessage={welcomeMessage}
          starterPrompts={starterPrompts}
          placeholder={placeholder}
          inputRef={input}
        />
      </div>
      <ConversationDrawer id={drawerId} open={drawerOpen} onClose={() => setDrawerOpen(false)} returnFocusRef={toggle}>
        {list}
      </ConversationDrawer>
    </ChatRoot>
  );
}
