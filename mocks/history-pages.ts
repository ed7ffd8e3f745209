import type { Conversation } from '../src/core/index.js';

/** A page of `key` items and the cursor of the next page (`null`: none). */
export type Page<T, K extends string> = { [P in K]: T[] } & { nextCursor: string | null };

/** The protocol's list order: newest `updatedAt` first, ties by `id` descending. Negative when `a` comes first. */
export function newestFirst(a: Pick<Conversation, 'id' | 'updatedAt'>, b: Pick<Conversation, 'id' | 'updatedAt'>): number {
  return Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Where a page ends: the id of its last conversation (with its `updatedAt`) or of its oldest message. */
export interface CursorPosition {
  id: string;
  updatedAt?: string;
}

/** An opaque cursor: the position as base64 JSON, so clients cannot build one and only pass `nextCursor` back. */
export function encodeCursor(position: CursorPosition): string {
  return btoa(encodeURIComponent(JSON.stringify(position)));
}

/** The position a cursor names; `undefined` when it is not one this mock made (the handlers answer 400). */
export function decodeCursor(cursor: string): CursorPosition | undefined {
  try {
    const value: unknown = JSON.parse(decodeURIComponent(atob(cursor)));
    if (typeof value !== 'object' || value === null) return undefined;
    const { id, updatedAt } = value as { id?: unknown; updatedAt?: unknown };
    if (typeof id !== 'string') return undefined;
    if (updatedAt !== undefined && (typeof updatedAt !== 'string' || Number.isNaN(Date.parse(updatedAt)))) return undefined;
    return updatedAt === undefined ? { id } : { id, updatedAt };
  } catch {
    return undefined;
  }
}
