import type { ChatLogEvent, HistoryOperation } from './chat-options.js';
import { UNLIMITED_LEASE, type ClientLease } from './client-limits.js';
import { checkId, conversationNotFound } from './conversation-store-input.js';
import type { HistoryRoute } from './history-routes.js';
import { readCreateBody, readPage, readRenameBody } from './history-request.js';
import { sendMessage, type SendContext } from './history-send.js';
import { jsonResponse, SECURITY_HEADERS } from './http-response.js';

/** One authorised request to a history endpoint. */
export interface OperationCall {
  request: Request;
  ownerId: string;
  route: HistoryRoute;
  headers: Headers;
  log: (status: number, fields: Partial<ChatLogEvent>, severity?: number) => void;
  /** The send's admission (concurrency slot, token budget); the send releases it. */
  lease?: ClientLease;
}

/** What one endpoint does with an authorised request; failures are thrown as `ChatError`s. */
export type Operation = (call: OperationCall) => Promise<Response>;

/** `204 No Content` with the security headers. */
function noContent(headers: Headers): Response {
  const all = new Headers(headers);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) all.set(name, value);
  all.set('Cache-Control', 'no-store');
  return new Response(null, { status: 204, headers: all });
}

/** The conversation id of a route that names one (every route but the list's). */
function conversationIdOf(route: HistoryRoute): string {
  if (route.resource === 'conversations') throw conversationNotFound();
  return route.conversationId;
}

/**
 * The history endpoints over a store, one function per operation. Every store call passes the authorised owner,
 * so another owner's conversation is exactly a missing one: 404 `not_found`.
 * @see docs/protocol.md, "History endpoints"
 */
export function createHistoryOperations(context: SendContext): Record<HistoryOperation, Operation> {
  const { store, live, maxBodyBytes, now } = context;
  return {
    async list({ request, ownerId, headers }) {
      return jsonResponse(await store.listConversations(ownerId, readPage(request, 'conversations')), 200, headers);
    },
    async create({ request, ownerId, headers }) {
      const body = await readCreateBody(request, maxBodyBytes);
      const { conversation, created } = await store.createConversation(ownerId, { ...body, now: now() });
      return jsonResponse({ conversation }, created ? 201 : 200, headers);
    },
    async get({ ownerId, route, headers }) {
      const conversation = await store.getConversation(ownerId, conversationIdOf(route));
      if (conversation === null) throw conversationNotFound();
      return jsonResponse({ conversation }, 200, headers);
    },
    async rename({ request, ownerId, route, headers }) {
      const conversationId = conversationIdOf(route);
      const { title } = await readRenameBody(request, maxBodyBytes);
      return jsonResponse({ conversation: await store.renameConversation(ownerId, conversationId, title, now()) }, 200, headers);
    },
    async delete({ ownerId, route, headers }) {
      if (!(await store.deleteConversation(ownerId, conversationIdOf(route)))) throw conversationNotFound();
      return noContent(headers);
    },
    async messages({ request, ownerId, route, headers }) {
      const page = await store.listMessages(ownerId, conversationIdOf(route), readPage(request, 'messages'));
      return jsonResponse(page, 200, headers);
    },
    send: ({ request, ownerId, route, headers, log, lease = UNLIMITED_LEASE }) =>
      sendMessage(context, { request, ownerId, conversationId: conversationIdOf(route), headers, log, lease }),
    async stop({ ownerId, route, headers }) {
      if (route.resource !== 'stop') throw conversationNotFound();
      const { conversationId } = route;
      const messageId = checkId(route.messageId, 'message');
      // The owner's conversation first: nothing is remembered for another owner's ids.
      if ((await store.getConversation(ownerId, conversationId)) === null) throw conversationNotFound();
      // Aborts a running generation here and waits for its last write, which reads the stop: `cancelled`.
      await live.stop({ ownerId, conversationId, messageId });
      // A row that is streaming or failed (another instance's, or written before the stop) is cancelled too.
      await store.cancelAnswer(ownerId, conversationId, messageId);
      return noContent(headers);
    },
  };
}
