// Input rules, errors and cursors shared by the stores, so every backend accepts and refuses exactly the same things.
// Internal to src/server: not part of the package's public entry.
import { ChatError, MAX_TITLE_LENGTH, messageText, normalizeTitle, type MessagePart } from '../core/index.js';
import {
  MAX_ID_LENGTH,
  MAX_PAGE_LIMIT,
  deriveTitle,
  type AssistantMessageInput,
  type StoredMessage,
  type StoredMessageStatus,
  type UserMessageInput,
} from './conversation-store.js';

/** `ChatError('invalid_input')` with the protocol's status; exported for the stores. */
export function invalidInput(message: string): ChatError {
  return new ChatError('invalid_input', message, { status: 400 });
}

/** `ChatError('not_found')` for a conversation that is missing or not the owner's (indistinguishable by design). */
export function conversationNotFound(): ChatError {
  return new ChatError('not_found', 'Conversation not found.', { status: 404 });
}

/** `ChatError('conflict')` for a message id already stored with other content. */
export function messageConflict(): ChatError {
  return new ChatError('conflict', 'A different message with this id is already stored.', { status: 409 });
}

/** True when PostgreSQL can store `text` unchanged: it refuses U+0000 and would replace lone surrogates with U+FFFD. */
export function isStorableText(text: string): boolean {
  // With the `u` flag a surrogate class matches only unpaired surrogates: a pair is one code point.
  return !text.includes('\u0000') && !/[\uD800-\uDFFF]/u.test(text);
}

/** Refuses a malformed owner id with a `TypeError`: it comes from the server's own auth, never from the user. */
export function checkOwnerId(ownerId: string): void {
  if (typeof ownerId !== 'string' || ownerId === '' || ownerId.length > MAX_ID_LENGTH || !isStorableText(ownerId)) {
    throw new TypeError(`ownerId must be a non-empty string of at most ${MAX_ID_LENGTH} characters.`);
  }
}

/** Refuses a `now` that is not a valid `Date` with a `TypeError` (programmer error). */
export function checkNow(now: Date): void {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date.');
}

/** Refuses an id that could never be stored (empty, longer than {@link MAX_ID_LENGTH}, unstorable text). */
export function checkId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH || !isStorableText(id)) {
    throw invalidInput(`The ${what} id must be a non-empty string of at most ${MAX_ID_LENGTH} characters.`);
  }
  return id;
}

/** A user-set title, trimmed and checked against the protocol's 1–200 characters (the client's `normalizeTitle`). */
export function checkTitle(title: unknown): string {
  const normalized = normalizeTitle(title);
  if (normalized === undefined || !isStorableText(normalized)) {
    throw invalidInput(`The title must be 1 to ${MAX_TITLE_LENGTH} characters.`);
  }
  return normalized;
}

/** The page size to use, refusing anything but an integer from 1 to {@link MAX_PAGE_LIMIT}. */
export function checkLimit(limit: number | undefined, defaultLimit: number): number {
  if (limit === undefined) return defaultLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw invalidInput(`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}.`);
  }
  return limit;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOnlyStorableText(value: unknown): boolean {
  if (typeof value === 'string') return isStorableText(value);
  if (Array.isArray(value)) return value.every(hasOnlyStorableText);
  if (isPlainObject(value)) return Object.entries(value).every(([key, item]) => isStorableText(key) && hasOnlyStorableText(item));
  return true;
}

/**
 * Message parts as the stores keep them: a JSON copy (so both backends return the same values and callers
 * cannot mutate what is stored), each part an object with a string `type`; unknown types pass untouched.
 */
export function checkParts(parts: unknown): MessagePart[] {
  if (!Array.isArray(parts) || !parts.every((part) => isPlainObject(part) && typeof part.type === 'string')) {
    throw invalidInput('parts must be an array of objects with a string type.');
  }
  if (!hasOnlyStorableText(parts)) throw invalidInput('The message contains characters that cannot be stored.');
  return JSON.parse(JSON.stringify(parts)) as MessagePart[];
}

/** Deep equality of JSON values, ignoring object key order (PostgreSQL's jsonb does not keep it). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
}

/** A user message checked and normalised for storage; `parentId` stays `undefined` when the default applies. */
export interface CheckedUserMessage {
  id: string;
  parts: MessagePart[];
  parentId: string | null | undefined;
}

/** Checks a user message for {@link ConversationStore.insertUserMessage}: only the `user` role is accepted. */
export function checkUserMessage(message: UserMessageInput): CheckedUserMessage {
  if (!isPlainObject(message)) throw invalidInput('The message must be an object.');
  if (message.role !== undefined && message.role !== 'user') throw invalidInput('Only user messages can be sent.');
  const parentId =
    message.parentId === undefined || message.parentId === null ? message.parentId : checkId(message.parentId, 'parent message');
  return { id: checkId(message.id, 'message'), parts: checkParts(message.parts), parentId };
}

/** True when a stored message is the same user message again (a retry), false when the id is reused for other content. */
export function isRetryOf(stored: StoredMessage, message: CheckedUserMessage): boolean {
  return stored.role === 'user' && jsonEqual(stored.parts, message.parts);
}

/** The title a user message gives a conversation that has none yet, or `null` when it has no text to derive one from. */
export function titleFromParts(parts: MessagePart[]): string | null {
  const text = messageText({ parts });
  return text.trim() === '' ? null : deriveTitle(text);
}

/** The statuses a stored message may have. */
export const STORED_MESSAGE_STATUSES: readonly StoredMessageStatus[] = ['complete', 'error', 'cancelled', 'streaming'];

/** An assistant message checked and normalised for storage (usage and finish reason dropped when absent). */
export function checkAssistantMessage(message: AssistantMessageInput): AssistantMessageInput {
  if (!isPlainObject(message)) throw invalidInput('The message must be an object.');
  const id = checkId(message.id, 'message');
  const parentId = message.parentId === null ? null : checkId(message.parentId, 'parent message');
  if (!STORED_MESSAGE_STATUSES.includes(message.status)) throw invalidInput('The message status is not valid.');
  const checked: AssistantMessageInput = { id, parentId, parts: checkParts(message.parts), status: message.status };
  if (message.usage !== undefined) {
    const { promptTokens, completionTokens, totalTokens } = message.usage;
    if (![promptTokens, completionTokens, totalTokens].every((count) => Number.isFinite(count) && count >= 0)) {
      throw invalidInput('usage must hold three non-negative token counts.');
    }
    checked.usage = { promptTokens, completionTokens, totalTokens };
  }
  if (message.finishReason !== undefined) {
    if (typeof message.finishReason !== 'string' || !isStorableText(message.finishReason)) {
      throw invalidInput('finishReason must be a string.');
    }
    checked.finishReason = message.finishReason;
  }
  return checked;
}

/** Position after which the next conversation page starts (the last conversation of the previous page). */
export interface ConversationCursor {
  updatedAt: string;
  id: string;
}

function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(cursor: string): unknown {
  // btoa/atob and TextEncoder rather than Buffer: server handlers also run on edge runtimes.
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidInput('The cursor is not valid.');
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ChatError('invalid_input', 'The cursor is not valid.', { status: 400, cause: error });
  }
}

/** Opaque cursor naming the last conversation of a page (a keyset position, not an offset). */
export function encodeConversationCursor(position: ConversationCursor): string {
  return toBase64Url(JSON.stringify(['c', position.updatedAt, position.id]));
}

/** Reads a conversation cursor; `null` for the first page; anything unreadable is `invalid_input`. */
export function decodeConversationCursor(cursor: string | null | undefined): ConversationCursor | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  const value = fromBase64Url(cursor);
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== 'c') throw invalidInput('The cursor is not valid.');
  const [, updatedAt, id] = value as [unknown, unknown, unknown];
  if (typeof updatedAt !== 'string' || Number.isNaN(Date.parse(updatedAt)) || new Date(updatedAt).toISOString() !== updatedAt) {
    throw invalidInput('The cursor is not valid.');
  }
  if (typeof id !== 'string' || id.length > MAX_ID_LENGTH || !isStorableText(id)) throw invalidInput('The cursor is not valid.');
  return { updatedAt, id };
}

/** Opaque cursor naming the oldest message of a page by its insertion sequence number (a decimal string). */
export function encodeMessageCursor(seq: string): string {
  return toBase64Url(JSON.stringify(['m', seq]));
}

/** Reads a message cursor to its sequence number; `null` for the first page; anything unreadable is `invalid_input`. */
export function decodeMessageCursor(cursor: string | null | undefined): string | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  const value = fromBase64Url(cursor);
  // At most 15 digits: exact as a JS number (the memory store's positions) and far below bigserial's end.
  if (!Array.isArray(value) || value.length !== 2 || value[0] !== 'm' || typeof value[1] !== 'string' || !/^[1-9][0-9]{0,14}$/.test(value[1])) {
    throw invalidInput('The cursor is not valid.');
  }
  return value[1];
}
