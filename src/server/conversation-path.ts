import type { ConversationStore, StoredMessage } from './conversation-store.js';

/** Largest page read while walking a conversation back from a message. */
const WALK_PAGE = 200;

/**
 * The messages the model is told about: the path from the conversation's root to `leaf` (following `parentId`, so
 * other branches stay out), oldest first, at most `max` messages (the newest). Pages are read newest first only
 * as far back as the path needs.
 */
export async function conversationPath(
  store: ConversationStore,
  ownerId: string,
  conversationId: string,
  leaf: StoredMessage,
  max: number,
): Promise<StoredMessage[]> {
  const loaded = new Map<string, StoredMessage>();
  const path = [leaf];
  let cursor: string | null | undefined;
  let next = leaf.parentId;
  while (next !== null && path.length < max) {
    let parent = loaded.get(next);
    while (parent === undefined && cursor !== null) {
      const page = await store.listMessages(ownerId, conversationId, { cursor: cursor ?? null, limit: WALK_PAGE });
      for (const message of page.messages) loaded.set(message.id, message);
      cursor = page.nextCursor;
      parent = loaded.get(next);
    }
    if (parent === undefined) break;
    path.push(parent);
    next = parent.parentId;
  }
  return path.reverse();
}
