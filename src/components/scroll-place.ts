import type { ChatMessage } from '../core/index.js';

/** Where a list was scrolled, and which message came first, at the last commit or scroll. */
export interface ScrollPlace {
  firstId: string | undefined;
  scrollTop: number;
  scrollHeight: number;
}

/** The place of `element` now, with `firstId` as its first message. */
export function scrollPlace(element: HTMLElement, firstId: string | undefined): ScrollPlace {
  return { firstId, scrollTop: element.scrollTop, scrollHeight: element.scrollHeight };
}

/**
 * After a commit that put messages before the first one, moves the scroll position down by the height added above,
 * so what the reader was looking at stays in place. Written as an absolute position: a browser that anchored the
 * scroll by itself (CSS scroll anchoring) ends up at the same place. For lists that render every row; virtual rows
 * keep their place themselves.
 */
export function keepPlace(element: HTMLElement, before: ScrollPlace | undefined, messages: ChatMessage[]): void {
  const firstId = messages[0]?.id;
  if (before?.firstId === undefined || before.firstId === firstId) return;
  if (!messages.some((message) => message.id === before.firstId)) return;
  element.scrollTop = before.scrollTop + (element.scrollHeight - before.scrollHeight);
}
