import { cva } from 'class-variance-authority';
import { useEffect, useRef, useState, type ComponentProps, type ReactNode } from 'react';
import type { Conversation, PendingMutation } from '../core/index.js';
import { useLabels } from './labels.js';
import { cn } from './cn.js';
import { ConversationDeleteConfirm, ConversationRename } from './conversation-item-forms.js';

/** Looks of a conversation's select button in a {@link ConversationListItem}. */
export const conversationItemVariants = cva(
  'flex w-full min-w-0 flex-col gap-0.5 rounded-control py-2 ps-3 pe-18 text-start text-sm outline-hidden hover:bg-background focus-visible:ring-2 focus-visible:ring-ring',
  {
    variants: {
      current: { true: 'bg-background font-medium shadow-sm ring-1 ring-border', false: '' },
    },
    defaultVariants: { current: false },
  },
);

const iconButtonClass =
  'inline-flex size-8 items-center justify-center rounded-control text-muted-foreground outline-hidden hover:bg-muted hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring disabled:cursor-not-allowed disabled:opacity-50';

/** Props of {@link ConversationListItem}. */
export interface ConversationListItemProps extends Omit<ComponentProps<'li'>, 'onSelect' | 'children'> {
  conversation: Conversation;
  /** The open conversation: `aria-current` on its button. @defaultValue false */
  current?: boolean;
  /** A change awaiting the server: the actions wait (a failed create may still be deleted). */
  pending?: PendingMutation;
  /** The moment relative dates count from. */
  now: Date;
  onSelect: (conversationId: string) => void;
  /** Offers Rename: an inline input, Enter or leaving it saves, Escape cancels. */
  onRename?: (conversationId: string, title: string) => void;
  /** Offers Delete, after an inline confirmation. */
  onRemove?: (conversationId: string) => void;
}

type Mode = 'view' | 'rename' | 'confirm';

/**
 * One conversation in a {@link ConversationList}: a button that opens it (title and relative date), and labelled
 * icon buttons to rename it inline ({@link ConversationRename}) or delete it after an inline confirmation
 * ({@link ConversationDeleteConfirm}). Focus returns to where the user was after each step.
 *
 * @selector [data-slot=conversation-list-item] - parts: `conversation-select`, `conversation-title`,
 *   `conversation-time`, `conversation-actions`, `conversation-rename`, `conversation-confirm`
 * @selector [data-current] - the open conversation
 * @selector [data-pending=create|rename|remove] - a change awaiting the server
 * @selector [data-mode=rename|confirm] - renaming, or confirming a delete
 */
export function ConversationListItem({
  conversation,
  current = false,
  pending,
  now,
  onSelect,
  onRename,
  onRemove,
  className,
  ...props
}: ConversationListItemProps) {
  const labels = useLabels();
  const [mode, setMode] = useState<Mode>('view');
  // Where focus goes after the next commit: the element it was on is replaced by the mode change.
  const focusNext = useRef<'select' | 'delete' | null>(null);
  const selectRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  const { id, title, updatedAt } = conversation;
  const failedCreate = pending?.kind === 'create' && pending.status === 'failed';
  const waiting = pending !== undefined && !failedCreate;

  useEffect(() => {
    if (focusNext.current === null) return;
    (focusNext.current === 'select' ? selectRef : deleteRef).current?.focus();
    focusNext.current = null;
  }, [mode]);

  function changeMode(next: Mode, focus: 'select' | 'delete' | null = null) {
    focusNext.current = focus;
    setMode(next);
  }

  let body: ReactNode;
  if (mode === 'rename') {
    body = (
      <ConversationRename
        title={title}
        onDone={(value, refocus) => {
          changeMode('view', refocus ? 'select' : null);
          if (value !== null && value.trim() !== '' && value.trim() !== title) onRename?.(id, value);
        }}
      />
    );
  } else if (mode === 'confirm') {
    body = <ConversationDeleteConfirm title={title} onCancel={() => changeMode('view', 'delete')} onConfirm={() => onRemove?.(id)} />;
  } else {
    body = (
      <>
        <button
          ref={selectRef}
          type="button"
          data-slot="conversation-select"
          aria-current={current ? 'true' : undefined}
          onClick={() => onSelect(id)}
          className={conversationItemVariants({ current })}
        >
          <span data-slot="conversation-title" className="truncate">
            {title}
          </span>
          <time data-slot="conversation-time" dateTime={updatedAt} className="text-xs font-normal text-muted-foreground">
            {labels.relativeTime(new Date(updatedAt), now)}
          </time>
        </button>
        <div data-slot="conversation-actions" className="absolute end-1 top-1/2 flex -translate-y-1/2">
          {onRename ? (
            <button
              type="button"
              aria-label={labels.renameConversation(title)}
              disabled={waiting || failedCreate}
              onClick={() => changeMode('rename')}
              className={iconButtonClass}
            >
              <PencilIcon />
            </button>
          ) : null}
          {onRemove ? (
            <button
              ref={deleteRef}
              type="button"
              aria-label={labels.deleteConversation(title)}
              disabled={waiting}
              onClick={() => changeMode('confirm')}
              className={iconButtonClass}
            >
              <TrashIcon />
            </button>
          ) : null}
        </div>
      </>
    );
  }

  return (
    <li
      data-slot="conversation-list-item"
      data-conversation-id={id}
      data-current={current ? '' : undefined}
      data-pending={pending?.kind}
      data-mode={mode === 'view' ? undefined : mode}
      {...props}
      className={cn('group/item relative list-none', className)}
    >
      {body}
    </li>
  );
}

function PencilIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z" />
    </svg>
  );
}

function TrashIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6" />
    </svg>
  );
}
