import type { Conversation } from '../src/core/index.js';
import type { StoredMessage } from './history-seed.js';

/** One conversation as the database keeps it. */
export interface HistoryRow {
  conversation: Conversation;
  messages: StoredMessage[];
  /** Titled by its first user message (created without a title, not renamed). */
  autoTitle: boolean;
}

/** Saves the database's rows to a `Storage`, so a story survives a reload. */
export interface HistoryPersistence {
  /** The rows saved last, or `undefined` when there are none (or they are unreadable). */
  load(): HistoryRow[] | undefined;
  /** Saves at once. */
  save(rows: () => Iterable<HistoryRow>): void;
  /** Saves within 100 ms, once for any number of calls: for stream deltas. */
  saveSoon(rows: () => Iterable<HistoryRow>): void;
  clear(): void;
}

const SAVE_DELAY_MS = 100;

/** Creates the persistence of a history database; without `storage`, every call does nothing. */
export function createHistoryPersistence(
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined,
  key: string,
): HistoryPersistence {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = (rows: () => Iterable<HistoryRow>): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    try {
      storage?.setItem(key, JSON.stringify([...rows()]));
    } catch {
      // A full storage only costs persistence across reloads.
    }
  };
  return {
    load() {
      try {
        const saved: unknown = JSON.parse(storage?.getItem(key) ?? 'null');
        if (!Array.isArray(saved)) return undefined;
        const rows = saved as HistoryRow[];
        // The reload cut every stream: what was streaming ended with an error, as after any disconnect.
        for (const row of rows) for (const message of row.messages) if (message.status === 'streaming') message.status = 'error';
        return rows;
      } catch {
        return undefined;
      }
    },
    save,
    saveSoon(rows) {
      if (storage !== undefined && timer === undefined) timer = setTimeout(() => save(rows), SAVE_DELAY_MS);
    },
    clear() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      storage?.removeItem(key);
    },
  };
}
