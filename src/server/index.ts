/**
 * colloquy/server: the protocol's chat and history endpoints on the official `openai` SDK, as web-standard
 * `(request: Request) => Promise<Response>` handlers (Next.js App Router, Remix, Hono, Bun, Deno), a chat server
 * action, and the conversation stores behind the history endpoints (memory, PostgreSQL/PGlite). Server-only: it
 * reads the API key from the environment and never imports React.
 */
export * from './chat-handlers.js';
export * from './chat-action.js';
export * from './chat-options.js';
export {
  REFUSED_REQUEST_FIELDS,
  createChatRequestParser,
  type ChatRequestLimits,
  type ChatTurnMessage,
  type ElevatedRole,
  type ParsedChatRequest,
} from './chat-request.js';
export type { CorsOptions } from './cors.js';
export { DEFAULT_PRICES, estimateCostUsd, priceOf, type ModelPrice, type PriceTable } from './pricing.js';
export { forwardedForKey, type ServerRateLimitOptions } from './rate-limit.js';
export * from './rate-limit-store.js';
// Per-client guards against a denial of wallet: answers in flight and tokens per window (stores shareable like the rate limit's).
export type { ServerConcurrencyOptions, ServerTokenBudgetOptions } from './client-limits.js';
export * from './concurrency-store.js';
export * from './token-budget-store.js';
export type { StreamLimits } from './stream-limits.js';
export { redactSecrets } from './redact.js';
// Building blocks for custom routes (and the history handlers): one upstream call, JSON or streamed as SSE.
export { requestCompletion, type CompletionAnswer, type CompletionCall, type CompletionParams } from './completion.js';
export { streamCompletion, type StreamCompletionOptions, type StreamFinish } from './completion-stream.js';
export { chatErrorFromUpstream, type UpstreamContext, type UpstreamFailure } from './upstream-error.js';
// Persisted conversations: the history endpoints and the stores they run on.
export { createHistoryHandlers, type HistoryHandlersOptions, type HistoryRouteHandlers } from './history-handlers.js';
export {
  DEFAULT_CONVERSATION_TITLE,
  MAX_TITLE_LENGTH,
  deriveTitle,
  type AssistantMessageInput,
  type Conversation,
  type ConversationPage,
  type ConversationStore,
  type CreateConversationInput,
  type CreateConversationResult,
  type InsertUserMessageResult,
  type PageOptions,
  type StoredMessage,
  type StoredMessagePage,
  type StoredMessageStatus,
  type UserMessageInput,
} from './conversation-store.js';
export { createMemoryConversationStore, type MemoryConversationStoreOptions } from './memory-conversation-store.js';
export { createSqlConversationStore, type SqlClient, type SqlConversationStoreOptions, type SqlRow } from './sql-conversation-store.js';
export { migrate, SQL_MIGRATIONS, type SqlMigration } from './sql-migrations.js';
