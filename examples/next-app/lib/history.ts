import { createHistoryHandlers } from 'colloquy/server';
import { cookies } from 'next/headers';
import { chatOptions } from './chat';
import { OWNER_COOKIE } from './owner';

/**
 * `/api/conversations/…`: conversations kept in memory (lost on restart; pass `store: createSqlConversationStore(…)`
 * to keep them), each owned by the browser that created it. No owner cookie: 401.
 */
export const historyHandlers = createHistoryHandlers({
  ...chatOptions,
  authorize: async () => (await cookies()).get(OWNER_COOKIE)?.value ?? null,
});
