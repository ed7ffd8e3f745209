import { useState } from 'react';
import type { ChatMessage } from '../core/index.js';

/** Consecutive messages that render, and bail out, as one memoized part. */
export interface RowChunk {
  /** The id of its first message: stable while messages are appended, updated or prepended around it. */
  key: string;
  messages: ChatMessage[];
}

/**
 * Messages per chunk. A token's commit renders the last chunk (up to this many row elements, all but one of which
 * bail out) and skips every other chunk at its reused element, so no commit walks every row.
 */
export const ROW_CHUNK_SIZE = 32;

const sameMessages = (a: ChatMessage[], b: ChatMessage[]) => a.length === b.length && a.every((message, i) => message === b[i]);

/** Whether `messages` holds the messages of `chunk`, the same objects, from `offset`. */
const holds = (messages: ChatMessage[], offset: number, chunk: RowChunk) =>
  chunk.messages.every((message, i) => messages[offset + i] === message);

/**
 * Splits `messages` into chunks, keeping the boundaries and the chunk objects of `previous` wherever they still hold,
 * so a memoized chunk whose messages did not change bails out, and a row never moves to another chunk (which would
 * remount it) when messages are appended, updated or prepended. New messages open a chunk after `size` of them.
 */
export function chunkRows(messages: ChatMessage[], previous: readonly RowChunk[], size = ROW_CHUNK_SIZE): RowChunk[] {
  const chunks: RowChunk[] = [];
  let offset = 0;
  // While a turn streams, every chunk but the last holds the same messages at the same place: keep them as they are,
  // with no copy (this runs at every commit). The last one may have grown: the loop below sees to it.
  for (const chunk of previous.slice(0, -1)) {
    if (!holds(messages, offset, chunk)) break;
    chunks.push(chunk);
    offset += chunk.messages.length;
  }
  const before = new Map(previous.slice(chunks.length).map((chunk) => [chunk.key, chunk]));
  let current: ChatMessage[] = [];
  const close = () => {
    const key = current[0]!.id;
    const old = before.get(key);
    chunks.push(old && sameMessages(old.messages, current) ? old : { key, messages: current });
  };
  for (let i = offset; i < messages.length; i++) {
    const message = messages[i]!;
    if (current.length > 0 && (current.length >= size || before.has(message.id))) {
      close();
      current = [];
    }
    current.push(message);
  }
  if (current.length > 0) close();
  return chunks;
}

/** The chunks of a list: every one but the last, and the last, which holds the newest (streaming) message. */
export interface RowChunks {
  /** Keeps its identity while only the last chunk changes, so what is rendered from it can be reused. */
  settled: RowChunk[];
  last: RowChunk | undefined;
}

function splitChunks(chunks: RowChunk[], previous: RowChunk[]): RowChunks {
  const settled = chunks.slice(0, -1);
  const same = settled.length === previous.length && settled.every((chunk, i) => chunk === previous[i]);
  return { settled: same ? previous : settled, last: chunks[chunks.length - 1] };
}

/**
 * {@link chunkRows} across renders: the chunks of `messages`, derived from those of the previous messages (React's
 * "information from previous renders"), so a commit where only the last message changed reuses every other chunk
 * and the very array that holds them.
 */
export function useRowChunks(messages: ChatMessage[]): RowChunks {
  const [seen, setSeen] = useState(() => {
    const chunks = chunkRows(messages, []);
    return { messages, chunks, split: splitChunks(chunks, []) };
  });
  if (seen.messages === messages) return seen.split;
  const chunks = chunkRows(messages, seen.chunks);
  const next = { messages, chunks, split: splitChunks(chunks, seen.split.settled) };
  setSeen(next);
  return next.split;
}
