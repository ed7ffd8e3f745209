import { cva } from 'class-variance-authority';
import type { ChatError, MutationFailure } from '../core/index.js';
import { useLabels } from './labels.js';

/** Looks of a conversation list's text buttons (New chat, Retry, Load more, Dismiss). */
export const conversationListButtonVariants = cva(
  'inline-flex items-center justify-center gap-2 rounded-control border border-border bg-background text-sm font-medium text-foreground outline-hidden hover:bg-muted focus-visible:ring-2 focus-visible:ring-ring',
  {
    variants: { size: { md: 'h-9 px-3', sm: 'h-7 px-2' } },
    defaultVariants: { size: 'md' },
  },
);

const SKELETON_ROWS = 5;

/**
 * Placeholder rows while the first page of conversations loads, announced once by a hidden status.
 * @selector [data-slot=conversation-skeleton]
 */
export function ConversationListSkeleton() {
  const labels = useLabels();
  return (
    <div data-slot="conversation-skeleton" className="flex flex-col gap-1">
      <span role="status" className="sr-only">
        {labels.loadingConversations}
      </span>
      {Array.from({ length: SKELETON_ROWS }, (_, index) => (
        <div key={index} aria-hidden="true" className="flex flex-col gap-1.5 rounded-control px-3 py-2.5">
          <div className="h-3.5 w-4/5 animate-pulse rounded-control bg-muted" />
          <div className="h-2.5 w-1/3 animate-pulse rounded-control bg-muted" />
        </div>
      ))}
    </div>
  );
}

/**
 * A change the server refused and that was undone: an alert, with Dismiss.
 * @selector [data-slot=conversation-failure]
 * @selector [data-operation=create|rename|remove]
 */
export function ConversationFailureNotice({ failure, onDismiss }: { failure: MutationFailure; onDismiss?: () => void }) {
  const labels = useLabels();
  return (
    <div
      data-slot="conversation-failure"
      data-operation={failure.operation}
      className="flex items-start gap-2 rounded-control bg-danger-soft p-2 text-danger-soft-foreground"
    >
      <p role="alert" className="flex-1">
        {labels.conversationChangeFailed(failure.operation)} {failure.error.message}
      </p>
      {onDismiss ? (
        <button type="button" onClick={onDismiss} className={conversationListButtonVariants({ size: 'sm' })}>
          {labels.dismiss}
        </button>
      ) : null}
    </div>
  );
}

/**
 * The list (or its next page) failed to load: an alert, with Retry.
 * @selector [data-slot=conversation-error]
 */
export function ConversationListError({ error, onRetry }: { error: ChatError; onRetry?: () => void }) {
  const labels = useLabels();
  return (
    <div data-slot="conversation-error" data-code={error.code} className="flex flex-col items-start gap-2 px-3 py-2">
      <p role="alert">
        {labels.conversationsFailed} {labels.errorTitles[error.code]}
      </p>
      {onRetry ? (
        <button type="button" onClick={onRetry} className={conversationListButtonVariants()}>
          {labels.retry}
        </button>
      ) : null}
    </div>
  );
}
