import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ComponentProps,
  type ReactNode,
} from 'react';
import type { ChatMessage, ChatStatus } from '../core/index.js';
import { useLabels } from './labels.js';
import { cn } from './cn.js';
import { Message } from './message.js';
import { useRowChunks } from './row-chunks.js';
import { keepPlace, scrollPlace, type ScrollPlace } from './scroll-place.js';
import { useNextFrame } from './use-next-frame.js';
import { readRowAnchor, VirtualRows, type RowAnchor } from './virtual-rows.js';
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
  /**
   * Above this many messages, only the rows near the viewport are mounted, so a 10,000-message history opens about
   * as fast as a short one. Up to it, every row stays in the page (find in page, screen-reader browsing). Lists are
   * never virtual where the browser cannot measure them (server rendering, no `ResizeObserver`).
   * @defaultValue 200
   */
  virtualizeAfter?: number;
}

/** The actions a row may offer, already narrowed to the rows they apply to. */
export interface MessageRowActions {
  onRetry?: () => void;
  onRegenerate?: () => void;
}

const noActions: MessageRowActions = {};
const noMessages: ChatMessage[] = [];

const defaultRender = (message: ChatMessage, actions: MessageRowActions) => (
  <Message message={message} onRetry={actions.onRetry} onRegenerate={actions.onRegenerate} />
);

/**
 * A row renders again only when its message, actions, renderer or place change: streaming touches the last row
 * alone. The row's own wrapper is inside the memo too.
 */
const MessageRow = /* @__PURE__ */ memo(function MessageRow(props: {
  message: ChatMessage;
  actions: MessageRowActions;
  render: NonNullable<MessageListProps['renderMessage']>;
  first: boolean;
  last: boolean;
}) {
  return (
    <div
      data-slot="message-row"
      data-message-id={props.message.id}
      aria-live={props.last ? undefined : 'off'}
      // Padding, not a flex gap: virtual rows are positioned one by one, and each measures its own spacing.
      className={props.first ? undefined : 'pt-4'}
    >
      {props.render(props.message, props.actions)}
    </div>
  );
});

/**
 * Consecutive rows behind one memo: a token's commit reconciles one element per chunk and the rows of the last chunk
 * only, so its cost does not grow with the history. Renders no element of its own: the rows stay children of
 * `message-rows`.
 */
const MessageRowChunk = /* @__PURE__ */ memo(function MessageRowChunk(props: {
  messages: ChatMessage[];
  render: NonNullable<MessageListProps['renderMessage']>;
  /** Holds the list's first row. */
  first: boolean;
  /** The actions of the list's last row, when this chunk holds it. */
  lastRowActions: MessageRowActions | undefined;
}) {
  const lastIndex = props.messages.length - 1;
  return props.messages.map((message, index) => {
    const last = props.lastRowActions !== undefined && index === lastIndex;
    return (
      <MessageRow
        key={message.id}
        message={message}
        render={props.render}
        actions={last ? (props.lastRowActions as MessageRowActions) : noActions}
        first={props.first && index === 0}
        last={last}
      />
    );
  });
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

/** Subscribes to nothing: whether the browser can measure rows never changes after hydration. */
const subscribeToNothing = () => () => {};
const canMeasureRows = () => typeof ResizeObserver === 'function';
const cannotMeasureOnServer = () => false;

/**
 * The scrolling conversation: a `role="log"` region that stays pinned to the newest message until the user scrolls
 * up, then offers "Jump to latest". While an answer streams the log is `aria-busy`, so screen readers announce the
 * finished answer once instead of every token; a hidden status says "Generating response" / "Response complete".
 * Past `virtualizeAfter` messages only the rows near the viewport are mounted; rows other than the last are
 * `aria-live="off"`, so a row mounted by scrolling (or an older page) is not read out as new.
 *
 * @selector [data-slot=message-list]
 * @selector [data-status=idle|submitting|streaming|error]
 * @selector [data-pinned] present while following the newest message
 * @selector [data-virtual] present while only the rows near the viewport are mounted
 * @selector [data-slot=message-row] one per message, `data-message-id` names it
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
  virtualizeAfter = 200,
  className,
  onScroll,
  onKeyDown,
  ...props
}: MessageListProps) {
  const labels = useLabels();
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const rows = useRef<HTMLDivElement>(null);
  const [pinned, setPinned] = useState(true);
  const pinnedRef = useRef(true);
  // True while a "Jump to latest" smooth scroll runs: its intermediate scroll events must not unpin the list.
  const jumping = useRef(false);
  // Server rendering and hydration see `false`, so the markup matches; the client then switches once.
  const canMeasure = useSyncExternalStore(subscribeToNothing, canMeasureRows, cannotMeasureOnServer);
  const virtual = canMeasure && messages.length > virtualizeAfter;
  // The reader's place in the full list, for the commit that makes it virtual.
  const anchor = useRef<RowAnchor | undefined>(undefined);
  // Virtual rows are rendered by index: they need no chunks.
  const chunks = useRowChunks(virtual ? noMessages : messages);
  // Built again only when a chunk other than the last changes (every few dozen messages): a token's commit then
  // creates and reconciles the elements of the last chunk alone, and React skips the reused ones at once.
  const settledRows = useMemo(
    () =>
      chunks.settled.map((chunk, index) => (
        <MessageRowChunk key={chunk.key} messages={chunk.messages} render={renderMessage} first={index === 0} lastRowActions={undefined} />
      )),
    [chunks.settled, renderMessage],
  );

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
  // Older messages: asked for near the top; when they arrive, the reader keeps their place (the virtual rows keep it
  // themselves).
  const reachTop = onReachTop && hasOlder && !loadingOlder ? onReachTop : undefined;
  // Virtual rows mounted by a scroll are measured before the paint: asking a frame later puts the page in above rows
  // of known height, so the reader's place holds even when older messages arrive at once.
  const reachTopNextFrame = useNextFrame(reachTop);
  const place = useRef<ScrollPlace | undefined>(undefined);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    if (!virtual && !pinnedRef.current) keepPlace(element, place.current, messages);
    place.current = scrollPlace(element, messages[0]?.id);
  }, [messages, virtual]);
  // Messages that do not fill the list can never be scrolled to the top: ask at once (only with a real layout).
  useEffect(() => {
    const element = scroller.current;
    if (reachTop && element && element.clientHeight > 0 && element.scrollHeight <= element.clientHeight) reachTop();
  }, [messages, reachTop]);
  useEffect(() => {
    const inner = content.current;
    if (!inner || !canMeasure) return undefined;
    const observer = new ResizeObserver(() => {
      if (pinnedRef.current) scrollToLatest();
    });
    observer.observe(inner);
    return () => observer.disconnect();
  }, [canMeasure, scrollToLatest]);

  const busy = status === 'submitting' || status === 'streaming';
  const { retryId, regenerateId } = actionTargets(messages, status);
  // Stable per target so untouched rows keep equal props.
  const retryActions = useStableActions(onRetry ? { onRetry } : noActions);
  const regenerateActions = useStableActions(onRegenerate ? { onRegenerate } : noActions);
  const actionsOf = (message: ChatMessage) =>
    message.id === retryId ? retryActions : message.id === regenerateId ? regenerateActions : noActions;
  const last = messages.length - 1;
  const renderRow = (message: ChatMessage, index: number) => (
    <MessageRow key={message.id} message={message} render={renderMessage} actions={actionsOf(message)} first={index === 0} last={index === last} />
  );

  return (
    <div className={cn('relative flex min-h-0 flex-1 flex-col', className)}>
      <div
        ref={scroller}
        data-slot="message-list"
        data-status={status}
        data-pinned={pinned ? '' : undefined}
        data-virtual={virtual ? '' : undefined}
        role="log"
        aria-label={labels.messageListLabel}
        aria-busy={busy || undefined}
        tabIndex={0}
        className={cn(
          'min-h-0 flex-1 overflow-y-auto overscroll-contain px-4 py-4 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-ring',
          // The virtual rows measure their offset from the log, and anchor the scroll themselves.
          virtual && 'relative [overflow-anchor:none]',
        )}
        onScroll={(event) => {
          onScroll?.(event);
          const element = event.currentTarget;
          const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= STICK_THRESHOLD_PX;
          if (jumping.current) {
            if (!atBottom) return;
            jumping.current = false;
          }
          // Virtual rows move the scroll position as they are measured; only a move up is the reader leaving.
          const next = atBottom || (virtual && pinnedRef.current && element.scrollTop >= (place.current?.scrollTop ?? 0));
          pinnedRef.current = next;
          setPinned(next);
          place.current = scrollPlace(element, place.current?.firstId);
          if (!virtual) anchor.current = readRowAnchor(element, rows.current);
          if (!reachTop || element.scrollTop > REACH_TOP_THRESHOLD_PX) return;
          if (virtual) reachTopNextFrame();
          else reachTop();
        }}
        onKeyDown={(event) => {
          onKeyDown?.(event);
          // The browser animates Home and End, and virtual rows measured on the way move the end it aims for: go there
          // at once (and follow from the bottom, as "Jump to latest" does).
          if (event.defaultPrevented || !virtual || event.target !== event.currentTarget) return;
          if (event.key === 'Home') event.currentTarget.scrollTop = 0;
          else if (event.key === 'End') {
            pinnedRef.current = true;
            setPinned(true);
            scrollToLatest();
          } else return;
          event.preventDefault();
        }}
        {...props}
      >
        <div ref={content} className="mx-auto flex w-full max-w-3xl flex-col gap-4">
          {header}
          {virtual ? (
            <VirtualRows
              messages={messages}
              renderRow={renderRow}
              scrollRef={scroller}
              // Read once, when the list becomes virtual: a pinned reader is followed to the bottom instead.
              readAnchor={() => (pinnedRef.current ? undefined : anchor.current)}
            />
          ) : (
            <div ref={rows} data-slot="message-rows">
              {chunks.last === undefined
                ? settledRows
                : // One flat array, so a chunk that becomes settled keeps its parent (and its rows their DOM).
                  [
                    ...settledRows,
                    <MessageRowChunk
                      key={chunks.last.key}
                      messages={chunks.last.messages}
                      render={renderMessage}
                      first={chunks.settled.length === 0}
                      // Retry and Regenerate only ever go to the last message.
                      lastRowActions={actionsOf(messages[last] as ChatMessage)}
                    />,
                  ]}
            </div>
          )}
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

/** Keeps one actions object per handler identity, so rows compare equal across renders. */
function useStableActions(actions: MessageRowActions): MessageRowActions {
  const [cache, setCache] = useState(actions);
  if (cache.onRetry === actions.onRetry && cache.onRegenerate === actions.onRegenerate) return cache;
  setCache(actions);
  return actions;
}
