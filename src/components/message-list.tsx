import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type ComponentProps,
  type ReactNode,
} from 'react';
import type { ChatMessage, ChatStatus } from '../core/index.js';
import { useLabels } from '../react/index.js';
import { cn } from './cn.js';
import { Message } from './message.js';
import { VisuallyHidden } from './visually-hidden.js';

/** How close to the bottom (px) still counts as "at the latest message". */
const STICK_THRESHOLD_PX = 48;

/** How close to the top (px) asks for older messages (`onReachTop`). */
const REACH_TOP_THRESHOLD_PX = 200;

/** Props of {@link MessageList}. */
export interface MessageListProps extends Omit<ComponentProps<'div'>, 'children'> {
  messages: ChatMessage[];
  /** The chat's status: drives `aria-busy` and the "Generating response" / "Response complete" announcements. */
  status?: ChatStatus;
  /** Retry for the failed or stopped turn; the list offers it on that message only. */
  onRetry?: () => void;
  /** Regenerate for the last answer; offered on that message only. */
  onRegenerate?: () => void;
  /**
   * Renders one message (default: `<Message>`). Rows re-render when their message or this function changes:
   * wrap it in `useCallback` to keep untouched rows still while a message streams.
   */
  renderMessage?: (message: ChatMessage, actions: MessageRowActions) => ReactNode;
  /** Shown after the messages (a typing indicator). */
  footer?: ReactNode;
  /** Shown before the messages (a "Load older messages" row). */
  header?: ReactNode;
  /**
   * Called when the user scrolls near the top while `hasOlder` and not `loadingOlder` (and when the messages do
   * not fill the list). Messages prepended afterwards keep what the user was reading in place.
   */
  onReachTop?: () => void;
  /** There are older messages to load. @defaultValue false */
  hasOlder?: boolean;
  /** Older messages are loading: `onReachTop` waits. @defaultValue false */
  loadingOlder?: boolean;
}

/** The actions a row may offer, already narrowed to the rows they apply to. */
export interface MessageRowActions {
  onRetry?: () => void;
  onRegenerate?: () => void;
}

const noActions: MessageRowActions = {};

const defaultRender = (message: ChatMessage, actions: MessageRowActions) => (
  <Message message={message} onRetry={actions.onRetry} onRegenerate={actions.onRegenerate} />
);

/** A row renders again only when its message, actions or renderer change: streaming touches the last row alone. */
const MessageRow = memo(function MessageRow(props: {
  message: ChatMessage;
  actions: MessageRowActions;
  render: NonNullable<MessageListProps['renderMessage']>;
}) {
  return props.render(props.message, props.actions);
});

/** Which message gets Retry and which gets Regenerate. */
function actionTargets(messages: ChatMessage[], status: ChatStatus | undefined) {
  const last = messages[messages.length - 1];
  const busy = status === 'submitting' || status === 'streaming';
  if (!last || busy) return { retryId: undefined, regenerateId: undefined };
  const failed = status === 'error' || last.status === 'error' || last.status === 'cancelled';
  if (failed) return { retryId: last.id, regenerateId: undefined };
  return { retryId: undefined, regenerateId: last.role === 'assistant' && last.status === 'complete' ? last.id : undefined };
}

/** The sentence the hidden status region says at a boundary of a turn, never per token. */
function boundaryAnnouncement(messages: ChatMessage[], status: ChatStatus | undefined, labels: ReturnType<typeof useLabels>) {
  if (status === 'submitting' || status === 'streaming') return labels.generating;
  const last = messages[messages.length - 1];
  if (last?.role !== 'assistant') return '';
  if (last.status === 'cancelled') return labels.responseStopped;
  if (last.status === 'complete') return labels.responseComplete;
  return '';
}

/**
 * The scrolling conversation: a `role="log"` region that stays pinned to the newest message until the user scrolls
 * up, then offers "Jump to latest". While an answer streams the log is `aria-busy`, so screen readers announce the
 * finished answer once instead of every token; a hidden status says "Generating response" / "Response complete".
 *
 * @selector [data-slot=message-list]
 * @selector [data-status=idle|submitting|streaming|error]
 * @selector [data-pinned] present while following the newest message
 */
export function MessageList({
  messages,
  status,
  onRetry,
  onRegenerate,
  renderMessage = defaultRender,
  footer,
  header,
  onReachTop,
  hasOlder = false,
  loadingOlder = false,
  className,
  onScroll,
  ...props
}: MessageListProps) {
  const labels = useLabels();
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const [pinned, setPinned] = useState(true);
  const pinnedRef = useRef(true);
  // True while a "Jump to latest" smooth scroll runs: its intermediate scroll events must not unpin the list.
  const jumping = useRef(false);

  const scrollToLatest = useCallback((behavior: ScrollBehavior = 'auto') => {
    const element = scroller.current;
    if (!element) return;
    element.scrollTo?.({ top: element.scrollHeight, behavior });
    if (!element.scrollTo) element.scrollTop = element.scrollHeight;
  }, []);

  // Follow new content while pinned: when messages change, and when content grows without a commit (images, fonts).
  // Not on other commits, so an instant scroll never cuts a smooth "Jump to latest" short.
  useLayoutEffect(() => {
    if (pinnedRef.current && !jumping.current) scrollToLatest();
  }, [messages, footer, scrollToLatest]);
  // Older messages: asked for near the top; when they arrive, the reader keeps their place.
  const reachTop = onReachTop && hasOlder && !loadingOlder ? onReachTop : undefined;
  const place = useRef<ScrollPlace | undefined>(undefined);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    if (!pinnedRef.current) keepPlace(element, place.current, messages);
    place.current = scrollPlace(element, messages[0]?.id);
  }, [messages]);
  // Messages that do not fill the list can never be scrolled to the top: ask at once (only with a real layout).
  useEffect(() => {
    const element = scroller.current;
    if (reachTop && element && element.clientHeight > 0 && element.scrollHeight <= element.clientHeight) reachTop();
  }, [messages, reachTop]);
  useEffect(() => {
    const inner = content.current;
    if (!inner || typeof ResizeObserver !== 'function') return undefined;
    const observer = new ResizeObserver(() => {
      if (pinnedRef.current) scrollToLatest();
    });
    observer.observe(inner);
    return () => observer.disconnect();
  }, [scrollToLatest]);

  const busy = status === 'submitting' || status === 'streaming';
  const { retryId, regenerateId } = actionTargets(messages, status);
  // Stable per target so untouched rows keep equal props.
  const retryActions = useStableActions(onRetry ? { onRetry } : noActions);
  const regenerateActions = useStableActions(onRegenerate ? { onRegenerate } : noActions);

  return (
    <div className={cn('relative flex min-h-0 flex-1 flex-col', className)}>
      <div
        ref={scroller}
        data-slot="message-list"
        data-status={status}
        data-pinned={pinned ? '' : undefined}
        role="log"
        aria-label={labels.messageListLabel}
        aria-busy={busy || undefined}
        tabIndex={0}
        className="min-h-0 flex-1 overflow-y-auto overscroll-contain px-4 py-4 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-ring"
        onScroll={(event) => {
          onScroll?.(event);
          const element = event.currentTarget;
          const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= STICK_THRESHOLD_PX;
          if (jumping.current) {
            if (!atBottom) return;
            jumping.current = false;
          }
          pinnedRef.current = atBottom;
          setPinned(atBottom);
          place.current = scrollPlace(element, place.current?.firstId);
          if (reachTop && element.scrollTop <= REACH_TOP_THRESHOLD_PX) reachTop();
        }}
        {...props}
      >
        <div ref={content} className="mx-auto flex w-full max-w-3xl flex-col gap-4">
          {header}
          {messages.map((message) => (
            <MessageRow
              key={message.id}
              message={message}
              render={renderMessage}
              actions={message.id === retryId ? retryActions : message.id === regenerateId ? regenerateActions : noActions}
            />
          ))}
          {footer}
        </div>
      </div>
      <VisuallyHidden role="status">{boundaryAnnouncement(messages, status, labels)}</VisuallyHidden>
      {!pinned && (
        <button
          type="button"
          data-slot="jump-to-latest"
          onClick={() => {
            pinnedRef.current = true;
            setPinned(true);
            const reduceMotion = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
            const smooth = !reduceMotion && typeof scroller.current?.scrollTo === 'function';
            jumping.current = smooth;
            scrollToLatest(smooth ? 'smooth' : 'auto');
            // A smooth scroll that never reaches the bottom (content shrank, the user grabbed the wheel) must not
            // leave the list deaf to new messages.
            if (smooth) setTimeout(() => (jumping.current = false), 1_000);
          }}
          className="absolute bottom-3 left-1/2 inline-flex -translate-x-1/2 items-center gap-1.5 rounded-full border border-border bg-background px-3 py-1.5 text-sm font-medium text-foreground shadow-md hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
        >
          <svg aria-hidden="true" viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" strokeWidth="2">
            <path d="M12 5v14M5 12l7 7 7-7" />
          </svg>
          {labels.jumpToLatest}
        </button>
      )}
    </div>
  );
}

/** Where a list was scrolled, and which message came first, at the last commit or scroll. */
interface ScrollPlace {
  firstId: string | undefined;
  scrollTop: number;
  scrollHeight: number;
}

function scrollPlace(element: HTMLElement, firstId: string | undefined): ScrollPlace {
  return { firstId, scrollTop: element.scrollTop, scrollHeight: element.scrollHeight };
}

/**
 * After a commit that put messages before the first one, moves the scroll position down by the height added above,
 * so what the reader was looking at stays in place. Written as an absolute position: a browser that anchored the
 * scroll by itself (CSS scroll anchoring) ends up at the same place.
 */
function keepPlace(element: HTMLElement, before: ScrollPlace | undefined, messages: ChatMessage[]): void {
  const firstId = messages[0]?.id;
  if (before?.firstId === undefined || before.firstId === firstId) return;
  if (!messages.some((message) => message.id === before.firstId)) return;
  element.scrollTop = before.scrollTop + (element.scrollHeight - before.scrollHeight);
}

/** Keeps one actions object per handler identity, so rows compare equal across renders. */
function useStableActions(actions: MessageRowActions): MessageRowActions {
  const [cache, setCache] = useState(actions);
  if (cache.onRetry === actions.onRetry && cache.onRegenerate === actions.onRegenerate) return cache;
  setCache(actions);
  return actions;
}
