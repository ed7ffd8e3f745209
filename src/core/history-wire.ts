import { isRecord } from './is-record.js';
import type { ChatMessage, MessageStatus } from './message.js';
import { parseParts, parseUsage } from './wire.js';

/** A conversation persisted on the server. @see docs/protocol.md, "History endpoints" */
export interface Conversation {
  id: string;
  /** Never empty: derived from the first user message when none was given. */
  title: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; bumped by every stored message and by a rename. */
  updatedAt: string;
}

/** One page of `GET /conversations`: newest `updatedAt` first; `nextCursor` is `null` on the last page. */
export interface ConversationPage {
  conversations: Conversation[];
  nextCursor: string | null;
}

/**
 * One page of `GET /conversations/:id/messages`, oldest first. Pages go backwards: `nextCursor` fetches the page of
 * messages older than these (`null`: there are none).
 */
export interface MessagePage {
  messages: ChatMessage[];
  nextCursor: string | null;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isoDate(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

function cursor(value: unknown): string | null | undefined {
  return value === null || nonEmpty(value) ? value : undefined;
}

const STORED_STATUSES: readonly MessageStatus[] = ['complete', 'error', 'cancelled', 'streaming'];

/** Reads a {@link Conversation} from the network; `undefined` when any field is missing or of the wrong type. */
export function parseConversation(value: unknown): Conversation | undefined {
  if (!isRecord(value)) return undefined;
  const { id, title, createdAt, updatedAt } = value;
  if (!nonEmpty(id) || !nonEmpty(title) || !isoDate(createdAt) || !isoDate(updatedAt)) return undefined;
  return { id, title, createdAt, updatedAt };
}

/**
 * Reads a stored message (`StoredMessage` in the protocol) as a {@link ChatMessage}; unknown part types are kept,
 * and `undefined` means the value is not a stored message.
 */
export function parseStoredMessage(value: unknown): ChatMessage | undefined {
  if (!isRecord(value) || !Array.isArray(value.parts)) return undefined;
  const { id, parentId, role, createdAt, status, finishReason } = value;
  const parts = parseParts({ parts: value.parts });
  if (!nonEmpty(id) || (parentId !== null && !nonEmpty(parentId)) || parts === undefined) return undefined;
  if ((role !== 'user' && role !== 'assistant') || !isoDate(createdAt)) return undefined;
  if (!STORED_STATUSES.includes(status as MessageStatus)) return undefined;
  const usage = parseUsage(value.usage);
  return {
    id,
    parentId,
    role,
    parts,
    createdAt,
    status: status as MessageStatus,
    ...(usage === undefined ? {} : { usage }),
    ...(typeof finishReason === 'string' ? { finishReason } : {}),
  };
}

function parseList<T>(value: unknown, parse: (item: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items: T[] = [];
  for (const item of value) {
    const parsed = parse(item);
    if (parsed === undefined) return undefined;
    items.push(parsed);
  }
  return items;
}

/** Reads a {@link ConversationPage}; `undefined` when the body is not one (a single bad item spoils the page). */
export function parseConversationPage(value: unknown): ConversationPage | undefined {
  if (!isRecord(value)) return undefined;
  const conversations = parseList(value.conversations, parseConversation);
  const nextCursor = cursor(value.nextCursor);
  return conversations === undefined || nextCursor === undefined ? undefined : { conversations, nextCursor };
}

/** Reads a {@link MessagePage}; `undefined` when the body is not one. */
export function parseMessagePage(value: unknown): MessagePage | undefined {
  if (!isRecord(value)) return undefined;
  const messages = parseList(value.messages, parseStoredMessage);
  const nextCursor = cursor(value.nextCursor);
  return messages === undefined || nextCursor === undefined ? undefined : { messages, nextCursor };
}
