import { cva, type VariantProps } from 'class-variance-authority';
import { createContext, useContext, type ComponentProps, type ReactNode } from 'react';
import type { ChatMessage } from '../core/index.js';
import { useChatConfig } from '../react/index.js';
import { useLabels } from './labels.js';
import { useChatAppearance } from './chat-root.js';
import { cn } from './cn.js';
import { MessageContent } from './message-content.js';
import { UsageBadge } from './usage-badge.js';
import { VisuallyHidden } from './visually-hidden.js';

/** What the parts of one message share. */
interface MessageContextValue {
  message: ChatMessage;
  variant: 'bubble' | 'flat';
  onRetry: (() => void) | undefined;
  onRegenerate: (() => void) | undefined;
}

const MessageContext = createContext<MessageContextValue | null>(null);

/** The message of the enclosing {@link Message}; throws a `TypeError` naming the fix when used outside one. */
export function useMessage(part = 'This part'): MessageContextValue {
  const context = useContext(MessageContext);
  if (!context) throw new TypeError(`\`${part}\` must be used within \`Message\`.`);
  return context;
}

/** Classes of {@link Message}. */
export const messageVariants = cva('group/message flex w-full min-w-0 items-start gap-3', {
  variants: {
    role: { user: 'flex-row-reverse', assistant: 'flex-row', system: 'justify-center' },
    density: { comfortable: 'py-1', compact: 'py-0' },
  },
  defaultVariants: { role: 'assistant', density: 'comfortable' },
});

/** Props of {@link Message}. */
export interface MessageProps extends ComponentProps<'article'> {
  message: ChatMessage;
  /** Bubble (default, from the enclosing `ChatRoot`) or flat transcript style. */
  variant?: 'bubble' | 'flat';
  /** Shows a Retry action (pass it for the failed or stopped turn only). */
  onRetry?: () => void;
  /** Shows a Regenerate action (pass it for the last answer only). */
  onRegenerate?: () => void;
  /** Parts to arrange; by default avatar, bubble with content, and footer. */
  children?: ReactNode;
}

/**
 * One message: a family of parts (`MessageAvatar`, `MessageBubble`, `MessageFooter`, `MessageNotice`,
 * `MessageTimestamp`, `MessageActions`) sharing the message through context. With no children it renders
 * the default arrangement.
 *
 * @selector [data-slot=message]
 * @selector [data-role=user|assistant|system]
 * @selector [data-status=pending|streaming|complete|error|cancelled]
 * @example
 * <Message message={m}><MessageBubble><MessageContent message={m} /></MessageBubble></Message>
 */
export function Message({ message, variant, onRetry, onRegenerate, className, children, ...props }: MessageProps) {
  const appearance = useChatAppearance();
  const context: MessageContextValue = { message, variant: variant ?? appearance.variant, onRetry, onRegenerate };
  return (
    <MessageContext.Provider value={context}>
      <article
        data-slot="message"
        data-role={message.role}
        data-status={message.status}
        className={cn(messageVariants({ role: message.role, density: appearance.density }), className)}
        {...props}
      >
        {children ?? <DefaultMessageLayout />}
      </article>
    </MessageContext.Provider>
  );
}

function DefaultMessageLayout() {
  const { message } = useMessage();
  const { imageAllowlist } = useChatConfig();
  return (
    <>
      {message.role === 'assistant' && <MessageAvatar />}
      <div
        className={cn(
          'flex min-w-0 max-w-[85%] flex-col gap-1',
          message.role === 'user' ? 'items-end' : message.role === 'system' ? 'items-center' : 'items-start',
        )}
      >
        <MessageBubble>
          <MessageContent message={message} imageAllowlist={imageAllowlist} />
        </MessageBubble>
        <MessageFooter />
      </div>
    </>
  );
}

/** Classes of {@link MessageBubble}. */
export const messageBubbleVariants = cva('min-w-0 max-w-full [overflow-wrap:anywhere]', {
  variants: {
    role: {
      user: 'bg-user text-user-foreground',
      assistant: 'bg-assistant text-assistant-foreground',
      system: 'bg-transparent text-muted-foreground text-sm',
    },
    variant: { bubble: 'rounded-bubble px-4 py-2.5', flat: 'bg-transparent text-foreground px-0 py-0' },
  },
  compoundVariants: [{ role: 'user', variant: 'bubble', class: 'rounded-br-sm' }],
  defaultVariants: { role: 'assistant', variant: 'bubble' },
});

/** Props of {@link MessageBubble}. */
export type MessageBubbleProps = ComponentProps<'div'> & Omit<VariantProps<typeof messageBubbleVariants>, 'role'>;

/**
 * The coloured container of a message's content. Starts with a visually hidden "You:" / "Assistant:" so a screen
 * reader reading the log knows who speaks.
 * @selector [data-slot=message-bubble]
 */
export function MessageBubble({ className, variant, children, ...props }: MessageBubbleProps) {
  const context = useMessage('MessageBubble');
  const labels = useLabels();
  const speaker = context.message.role === 'user' ? labels.you : context.message.role === 'assistant' ? labels.assistant : labels.system;
  return (
    <div
      data-slot="message-bubble"
      className={cn(messageBubbleVariants({ role: context.message.role, variant: variant ?? context.variant }), className)}
      {...props}
    >
      <VisuallyHidden>{speaker}: </VisuallyHidden>
      {children}
    </div>
  );
}

/**
 * A round avatar: your `children` (an image, initials) or a default mark.
 * @selector [data-slot=message-avatar]
 */
export function MessageAvatar({ className, children, ...props }: ComponentProps<'div'>) {
  const { message } = useMessage('MessageAvatar');
  return (
    <div
      data-slot="message-avatar"
      aria-hidden="true"
      className={cn(
        'flex size-8 shrink-0 items-center justify-center overflow-hidden rounded-full text-xs font-semibold',
        message.role === 'user' ? 'bg-user text-user-foreground' : 'bg-accent text-accent-foreground',
        className,
      )}
      {...props}
    >
      {children ?? (
        <svg viewBox="0 0 24 24" width="16" height="16" fill="currentColor">
          <path d="M12 2l2.4 6.1L20.5 10l-6.1 2.4L12 18.5l-2.4-6.1L3.5 10l6.1-1.9z" />
        </svg>
      )}
    </div>
  );
}

/**
 * The line under a bubble: status, finish notice, usage, time and actions by default.
 * @selector [data-slot=message-footer]
 */
export function MessageFooter({ className, children, ...props }: ComponentProps<'div'>) {
  const { message } = useMessage('MessageFooter');
  return (
    <div
      data-slot="message-footer"
      className={cn('flex min-h-5 flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted-foreground', className)}
      {...props}
    >
      {children ?? (
        <>
          <MessageTimestamp />
          <MessageNotice />
          {message.role === 'assistant' && message.status === 'complete' && <UsageBadge usage={message.usage} />}
          <MessageActions />
        </>
      )}
    </div>
  );
}

/** The text a message's status shows, or `null` when it needs none. */
function statusText(message: ChatMessage, labels: ReturnType<typeof useLabels>): string | null {
  switch (message.status) {
    case 'pending':
      return labels.sending;
    case 'cancelled':
      return labels.cancelled;
    case 'error':
      return message.role === 'user' ? labels.failed : labels.interrupted;
    case 'complete':
      return message.finishReason && message.finishReason !== 'stop' ? labels.finishReason(message.finishReason) : null;
    default:
      return null;
  }
}

/**
 * What happened to the message, when it is worth saying: sending, stopped, not sent, interrupted, or an answer
 * cut off (finish reason other than `stop`).
 * @selector [data-slot=message-notice]
 * @selector [data-status]
 * @selector [data-finish-reason]
 */
export function MessageNotice({ className, ...props }: ComponentProps<'span'>) {
  const { message } = useMessage('MessageNotice');
  const labels = useLabels();
  const text = statusText(message, labels);
  if (text === null) return null;
  const alarming = message.status === 'error' || (message.status === 'complete' && message.finishReason !== undefined);
  return (
    <span
      data-slot="message-notice"
      data-status={message.status}
      data-finish-reason={message.finishReason}
      className={cn(alarming && 'font-medium text-danger-soft-foreground', className)}
      {...props}
    >
      {text}
    </span>
  );
}

/** Props of {@link MessageTimestamp}. */
export interface MessageTimestampProps extends Omit<ComponentProps<'time'>, 'children'> {
  /** Formats the time. @defaultValue hours and minutes in the user's locale */
  format?: (date: Date) => string;
}

const defaultTimeFormat = (date: Date) => date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * When the message was written, as a `<time>` element.
 * @selector [data-slot=message-timestamp]
 */
export function MessageTimestamp({ format = defaultTimeFormat, className, ...props }: MessageTimestampProps) {
  const { message } = useMessage('MessageTimestamp');
  const date = new Date(message.createdAt);
  if (Number.isNaN(date.getTime())) return null;
  return (
    <time
      data-slot="message-timestamp"
      dateTime={message.createdAt}
      // The locale and time zone differ between server and browser; the browser's text wins.
      suppressHydrationWarning
      className={cn('tabular-nums text-muted-foreground', className)}
      {...props}
    >
      {format(date)}
    </time>
  );
}

const actionClass =
  'inline-flex items-center gap-1 rounded-control px-2 py-1 font-medium text-foreground hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring';

/**
 * Retry and Regenerate buttons, shown only when the message got the matching handler.
 * @selector [data-slot=message-actions]
 */
export function MessageActions({ className, ...props }: ComponentProps<'div'>) {
  const { onRetry, onRegenerate } = useMessage('MessageActions');
  const labels = useLabels();
  if (!onRetry && !onRegenerate) return null;
  return (
    <div data-slot="message-actions" className={cn('flex items-center gap-1', className)} {...props}>
      {onRetry && (
        <button type="button" data-action="retry" className={actionClass} onClick={onRetry}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" strokeWidth="2">
            <path d="M3 12a9 9 0 1 0 3-6.7M3 4v5h5" />
          </svg>
          {labels.retry}
        </button>
      )}
      {onRegenerate && (
        <button type="button" data-action="regenerate" className={actionClass} onClick={onRegenerate}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" strokeWidth="2">
            <path d="M21 12a9 9 0 1 1-3-6.7M21 4v5h-5" />
          </svg>
          {labels.regenerate}
        </button>
      )}
    </div>
  );
}
