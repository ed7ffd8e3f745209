import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactElement, type RefObject } from 'react';
import { Virtualizer, type VirtualizerHandle } from 'virtua';
import type { ChatMessage } from '../core/index.js';

/** Where the reader was: a message, and how far its top sat below the top of the viewport (px, negative when above). */
export interface RowAnchor {
  id: string;
  offset: number;
}

/** Props of {@link VirtualRows}. */
export interface VirtualRowsProps {
  messages: ChatMessage[];
  /** One row; its root must carry `key={message.id}` and `data-message-id`. */
  renderRow: (message: ChatMessage, index: number) => ReactElement;
  /** The scrolling element (the log). It must be positioned, so the rows' `offsetTop` is measured from it. */
  scrollRef: RefObject<HTMLElement | null>;
  /** Called on mount only: where the reader was before the list became virtual (`undefined`: nothing to restore). */
  readAnchor?: () => RowAnchor | undefined;
}

/** The id of the row holding `target`, if any. */
function rowIdOf(target: EventTarget | null): string | undefined {
  return target instanceof Element ? (target.closest('[data-message-id]')?.getAttribute('data-message-id') ?? undefined) : undefined;
}

/**
 * True when `after` is `before` with messages added in front (an older page), whatever happened to the last one.
 * virtua keeps measured heights by index, so such a change must be declared as a `shift`, and only such a change.
 */
function isPrepend(before: ChatMessage[], after: ChatMessage[]): boolean {
  const first = before[0];
  return first !== undefined && after.length > before.length && after[after.length - before.length]?.id === first.id;
}

/**
 * The rows of a long conversation, mounted only near the viewport (virtua, heights measured as they render). Kept
 * mounted whatever the scroll position: the last row, so the streaming answer is in the live region and announced
 * once when it completes, and the row holding focus, so keyboard focus is never dropped by scrolling. Older pages
 * prepended to `messages` keep what the reader sees in place.
 *
 * @selector [data-slot=message-rows]
 */
export function VirtualRows({ messages, renderRow, scrollRef, readAnchor }: VirtualRowsProps) {
  const handle = useRef<VirtualizerHandle>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  // React's "information from previous renders": the shift must reach virtua in the very render that prepends.
  const [seen, setSeen] = useState({ messages, shift: false });
  let shift = seen.shift;
  if (seen.messages !== messages) {
    shift = isPrepend(seen.messages, messages);
    setSeen({ messages, shift });
  }
  const [restore] = useState(() => {
    const anchor = readAnchor?.();
    const index = anchor ? messages.findIndex((message) => message.id === anchor.id) : -1;
    return anchor && index >= 0 ? { index, offset: anchor.offset } : undefined;
  });
  const [focusedId, setFocusedId] = useState<string>();
  const [startMargin, setStartMargin] = useState(0);

  const last = messages.length - 1;
  const keepMounted = useMemo(() => {
    const focused = focusedId === undefined ? -1 : messages.findIndex((message) => message.id === focusedId);
    return focused >= 0 && focused !== last ? [focused, last] : [last];
  }, [messages, focusedId, last]);

  // What sits above the rows (the log's padding, the header) moves them down: virtua must know by how much.
  useLayoutEffect(() => {
    const list = wrapper.current;
    const content = list?.parentElement;
    if (!list || !content) return undefined;
    const observer = new ResizeObserver(() => setStartMargin(list.offsetTop));
    observer.observe(content);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    // virtua waits for the rows on the way to be measured, then puts the anchor where the reader saw it.
    if (restore) handle.current?.scrollToIndex(restore.index, { offset: -restore.offset });
  }, [restore]);

  return (
    <div
      ref={wrapper}
      data-slot="message-rows"
      onFocus={(event) => setFocusedId(rowIdOf(event.target))}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setFocusedId(undefined);
      }}
    >
      <Virtualizer<ChatMessage>
        ref={handle}
        data={messages}
        shift={shift}
        keepMounted={keepMounted}
        scrollRef={scrollRef}
        startMargin={startMargin}
      >
        {renderRow}
      </Virtualizer>
    </div>
  );
}

/**
 * Where the reader is in a list that renders every row: the first row still visible and its offset from the top of
 * the viewport. Found by bisection, so a scroll handler reads a handful of rows, not all of them.
 */
export function readRowAnchor(scroller: HTMLElement, rows: HTMLElement | null): RowAnchor | undefined {
  if (!rows) return undefined;
  const top = scroller.getBoundingClientRect().top;
  const children = rows.children;
  let low = 0;
  let high = children.length - 1;
  let found: Element | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const row = children[middle] as Element;
    if (row.getBoundingClientRect().bottom > top) {
      found = row;
      high = middle - 1;
    } else {
      low = middle + 1;
    }
  }
  const id = found?.getAttribute('data-message-id');
  return found && id ? { id, offset: found.getBoundingClientRect().top - top } : undefined;
}
