import { characterCount } from './message.js';

/** The title of a conversation created without one, until its first message names it. @see docs/protocol.md */
export const DEFAULT_CONVERSATION_TITLE = 'New conversation';

/** The longest title a server accepts, in characters (code points) after trimming. */
export const MAX_TITLE_LENGTH = 200;

/** How much of the first message a derived title keeps, in characters, before the `…`. */
const DERIVED_TITLE_LENGTH = 60;

/**
 * The title a conversation gets from its first user message, as servers derive it: whitespace collapsed, cut at
 * 60 characters on a word boundary with `…`. Client and server share it, so an optimistic title never changes.
 *
 * @example
 * conversationTitle('  What is   SSE? '); // 'What is SSE?'
 * @see docs/protocol.md, "History endpoints"
 */
export function conversationTitle(text: string): string {
  const line = text.trim().replace(/\s+/g, ' ');
  if (line === '') return DEFAULT_CONVERSATION_TITLE;
  const codePoints = Array.from(line);
  if (codePoints.length <= DERIVED_TITLE_LENGTH) return line;
  const head = codePoints.slice(0, DERIVED_TITLE_LENGTH + 1).join('');
  // Cut at the last space within the limit (the character after the limit may be the space that ends a word).
  const space = head.lastIndexOf(' ');
  const cut = space > 0 ? head.slice(0, space) : codePoints.slice(0, DERIVED_TITLE_LENGTH).join('');
  return `${cut.trimEnd()}…`;
}

/**
 * A title as servers accept it: a string of 1 to {@link MAX_TITLE_LENGTH} characters after trimming, returned
 * trimmed; `undefined` for anything else.
 */
export function normalizeTitle(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const title = value.trim();
  return title !== '' && characterCount(title) <= MAX_TITLE_LENGTH ? title : undefined;
}
