import { useRef, type KeyboardEvent } from 'react';
import { useLabels } from './labels.js';
import { cn } from './cn.js';

const textButtonClass =
  'inline-flex h-8 items-center rounded-control border border-border bg-background px-2.5 text-sm font-medium outline-hidden hover:bg-muted focus-visible:ring-2 focus-visible:ring-ring';

/** Props of {@link ConversationRename}. */
export interface ConversationRenameProps {
  /** The title the input starts with (selected, so typing replaces it). */
  title: string;
  /**
   * Called once: with the text on Enter (`refocus: true`) or when the input loses focus (`false`), with `null` on
   * Escape (`true`). `refocus` says whether focus should go back to the conversation.
   */
  onDone: (value: string | null, refocus: boolean) => void;
}

/**
 * The inline rename input of a conversation: focused with its text selected; Enter or leaving it saves, Escape
 * cancels (and does not reach a drawer around it).
 *
 * @selector [data-slot=conversation-rename]
 */
export function ConversationRename({ title, onDone }: ConversationRenameProps) {
  const labels = useLabels();
  // Enter and Escape unmount the input, and some browsers then fire blur: report only the first outcome.
  const settled = useRef(false);
  const done = (value: string | null, refocus: boolean) => {
    if (settled.current) return;
    settled.current = true;
    onDone(value, refocus);
  };

  function handleKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    // Handled here rather than by a form's submit, so an IME composition's Enter never saves.
    if (event.nativeEvent.isComposing || (event.key !== 'Escape' && event.key !== 'Enter')) return;
    event.preventDefault();
    event.stopPropagation();
    done(event.key === 'Enter' ? event.currentTarget.value : null, true);
  }

  return (
    <div data-slot="conversation-rename" className="px-1 py-1">
      <input
        aria-label={labels.conversationTitle}
        defaultValue={title}
        maxLength={200}
        autoFocus
        onFocus={(event) => event.currentTarget.select()}
        onKeyDown={handleKeyDown}
        onBlur={(event) => done(event.currentTarget.value, false)}
        className="h-9 w-full rounded-control border border-border bg-background px-2 text-sm text-foreground outline-hidden focus-visible:ring-2 focus-visible:ring-ring"
      />
    </div>
  );
}

/** Props of {@link ConversationDeleteConfirm}. */
export interface ConversationDeleteConfirmProps {
  title: string;
  onCancel: () => void;
  onConfirm: () => void;
}

/**
 * The inline "Delete …? Cancel / Delete" step: a labelled group, focus on Cancel (the safe choice), Escape cancels.
 *
 * @selector [data-slot=conversation-confirm]
 */
export function ConversationDeleteConfirm({ title, onCancel, onConfirm }: ConversationDeleteConfirmProps) {
  const labels = useLabels();
  function handleKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    onCancel();
  }
  return (
    <div
      data-slot="conversation-confirm"
      role="group"
      aria-label={labels.deleteConversation(title)}
      onKeyDown={handleKeyDown}
      className="flex flex-col gap-2 px-3 py-2 text-sm"
    >
      <p className="truncate font-medium">{labels.confirmDelete(title)}</p>
      <div className="flex gap-2">
        <button type="button" autoFocus className={textButtonClass} onClick={onCancel}>
          {labels.cancel}
        </button>
        <button type="button" className={cn(textButtonClass, 'border-transparent bg-danger text-danger-foreground')} onClick={onConfirm}>
          {labels.delete}
        </button>
      </div>
    </div>
  );
}
