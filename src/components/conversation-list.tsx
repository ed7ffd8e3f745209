import { cva, type VariantProps } from 'class-variance-authority';
import { useEffect, useRef, type ComponentProps, type KeyboardEvent } from 'react';
import type { ConversationListState, MutationFailure, PendingMutation } from '../core/index.js';
import { useLabels } from './labels.js';
import { cn } from './cn.js';
import { ConversationListItem } from './conversation-list-item.js';
import {
  ConversationFailureNotice,
  ConversationListError,
  ConversationListSkeleton,
  conversationListButtonVariants,
} from './conversation-list-states.js';

/** Looks of the {@link ConversationList}. */
export const conversationListVariants = cva('flex min-h-0 flex-col gap-2 font-chat text-sm text-surface-foreground', {
  variants: {
    surface: { sidebar: 'bg-surface p-2', plain: 'p-0' },
  },
  defaultVariants: { surface: 'sidebar' },
});

/** Props of {@link ConversationList}. */
export interface ConversationListProps extends Omit<ComponentProps<'nav'>, 'onSelect' | 'children'>, VariantProps<typeof conversationListVariants> {
  /** The list and its loading state, e.g. `useConversations().list`. */
  list: ConversationListState;
  /** The open conversation. */
  selectedId?: string | null;
  /** Changes awaiting the server, by conversation id (`useConversations().state.pending`). */
  pending?: Readonly<Record<string, PendingMutation>>;
  /** The last change the server refused, shown as an alert with Dismiss. */
  failure?: MutationFailure | null;
  /** The moment relative dates count from: fix it for stable screenshots. @defaultValue the current time */
  now?: Date | (() => Date);
  onSelect: (conversationId: string) => void;
  /** Offers "New chat" at the top. */
  onCreate?: () => void;
  onRename?: (conversationId: string, title: string) => void;
  onRemove?: (conversationId: string) => void;
  /** Offered as "Load more" below the list while there is a next page. */
  onLoadMore?: () => void;
  /** Offered as Retry when loading failed. */
  onRetry?: () => void;
  onDismissFailure?: () => void;
}

/**
 * The sidebar of persisted conversations: "New chat", the conversations newest first (each opens on click or
 * Enter, Arrow Up/Down and Home/End move between them), inline rename and delete with confirmation, relative dates,
 * a skeleton while the first page loads, an empty state, "Load more" and the notice of a refused change.
 *
 * @selector [data-slot=conversation-list] - the `nav`; parts: `conversation-new`, `conversation-items`,
 *   `conversation-skeleton`, `conversation-empty`, `conversation-error`, `conversation-failure`, `conversation-more`
 * @selector [data-status=idle|loading|error] - the list's loading state
 *
 * @example
 * const conversations = useConversations({ baseUrl: '/api' });
 * <ConversationList list={conversations.list} selectedId={conversations.selectedId} onSelect={conversations.select}
 *   onCreate={() => conversations.select(null)} onRename={conversations.rename} onRemove={conversations.remove}
 *   onLoadMore={conversations.loadMore} onRetry={conversations.reload} />
 */
export function ConversationList({
  list,
  selectedId = null,
  pending = {},
  failure = null,
  now,
  onSelect,
  onCreate,
  onRename,
  onRemove,
  onLoadMore,
  onRetry,
  onDismissFailure,
  surface,
  className,
  ...props
}: ConversationListProps) {
  const labels = useLabels();
  const root = useRef<HTMLElement>(null);
  // After a delete: the conversation that takes its place (`null`: none, so "New chat").
  const afterRemove = useRef<{ removed: string; next: string | null } | null>(null);
  const { conversations } = list;
  const moment = typeof now === 'function' ? now() : (now ?? new Date());
  const firstLoad = list.status === 'loading' && list.page === 'first' && conversations.length === 0;
  const failed = list.status === 'error' ? list.error : null;
  // A failed next page is retried as a next page; a failed first page, as a reload.
  const retryLoad = list.status === 'error' && list.page === 'more' ? onLoadMore : onRetry;

  // Once the deleted conversation is gone, focus (lost with it) goes to its neighbour or "New chat", never the body.
  useEffect(() => {
    const pendingFocus = afterRemove.current;
    if (pendingFocus === null || conversations.some((item) => item.id === pendingFocus.removed)) return;
    afterRemove.current = null;
    const active = document.activeElement;
    if (active !== null && active !== document.body && active.isConnected) return;
    const element = root.current;
    const item = [...(element?.querySelectorAll<HTMLElement>('[data-conversation-id]') ?? [])].find(
      (candidate) => candidate.dataset['conversationId'] === pendingFocus.next,
    );
    const target = item?.querySelector<HTMLElement>('[data-slot=conversation-select]') ?? element?.querySelector<HTMLElement>('[data-slot=conversation-new]');
    target?.focus();
  }, [conversations]);

  function remove(conversationId: string) {
    const index = conversations.findIndex((item) => item.id === conversationId);
    const neighbour = conversations[index + 1] ?? conversations[index - 1];
    afterRemove.current = { removed: conversationId, next: neighbour?.id ?? null };
    onRemove?.(conversationId);
  }

  function handleKeyDown(event: KeyboardEvent<HTMLUListElement>) {
    const target = event.target as HTMLElement;
    if (target.dataset['slot'] !== 'conversation-select') return;
    const buttons = [...event.currentTarget.querySelectorAll<HTMLElement>('[data-slot=conversation-select]')];
    const index = buttons.indexOf(target);
    const targets: Record<string, HTMLElement | undefined> = {
      ArrowDown: buttons[index + 1],
      ArrowUp: buttons[index - 1],
      Home: buttons[0],
      End: buttons.at(-1),
    };
    const next = Object.hasOwn(targets, event.key) ? targets[event.key] : undefined;
    if (next === undefined) return;
    event.preventDefault();
    next.focus();
  }

  return (
    <nav
      ref={root}
      data-slot="conversation-list"
      data-status={list.status}
      aria-label={labels.conversationsLabel}
      {...props}
      className={cn(conversationListVariants({ surface }), className)}
    >
      {onCreate ? (
        <button type="button" data-slot="conversation-new" onClick={onCreate} className={cn(conversationListButtonVariants(), 'w-full justify-start')}>
          <PlusIcon />
          {labels.newChat}
        </button>
      ) : null}
      {failure ? <ConversationFailureNotice failure={failure} onDismiss={onDismissFailure} /> : null}
      {firstLoad ? <ConversationListSkeleton /> : null}
      {list.status === 'idle' && conversations.length === 0 ? (
        <p data-slot="conversation-empty" className="px-3 py-2 text-muted-foreground">
          {labels.noConversations}
        </p>
      ) : null}
      {conversations.length > 0 ? (
        <ul data-slot="conversation-items" className="m-0 flex min-h-0 flex-1 flex-col gap-0.5 overflow-y-auto p-0.5" onKeyDown={handleKeyDown}>
          {conversations.map((conversation) => (
            <ConversationListItem
              key={conversation.id}
              conversation={conversation}
              current={conversation.id === selectedId}
              pending={Object.hasOwn(pending, conversation.id) ? pending[conversation.id] : undefined}
              now={moment}
              onSelect={onSelect}
              onRename={onRename}
              onRemove={onRemove ? remove : undefined}
            />
          ))}
        </ul>
      ) : null}
      {failed ? <ConversationListError error={failed} onRetry={retryLoad} /> : null}
      {list.nextCursor !== null && onLoadMore && !failed ? (
        <button
          type="button"
          data-slot="conversation-more"
          aria-busy={list.status === 'loading' || undefined}
          onClick={onLoadMore}
          className={cn(conversationListButtonVariants(), 'w-full')}
        >
          {list.status === 'loading' ? labels.loadingConversations : labels.loadMoreConversations}
        </button>
      ) : null}
    </nav>
  );
}

function PlusIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
      <path d="M12 5v14M5 12h14" />
    </svg>
  );
}
