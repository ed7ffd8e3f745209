import { ChatError, defaultErrorMessage, toChatError } from './chat-error.js';
import { sendHistoryTurn, type HistorySendContext } from './history-send.js';
import {
  parseConversation,
  parseConversationPage,
  parseMessagePage,
  type Conversation,
  type ConversationPage,
  type MessagePage,
} from './history-wire.js';
import { readJsonBody, sendHttpCall, type HttpCall } from './http-post.js';
import type { HttpTransportOptions } from './http-transport-options.js';
import { isRecord } from './is-record.js';
import type { SseStreamOptions } from './sse-answer.js';
import type { ChatTransport } from './transport.js';

/** Options of {@link createHistoryTransport}. */
export interface HistoryTransportOptions extends Omit<HttpTransportOptions, 'url'>, SseStreamOptions {
  /** Where the history endpoints live: `${baseUrl}/conversations…`. @defaultValue '/api' */
  baseUrl?: string;
  /** How answers are requested: a server-sent event stream, or one JSON body. @defaultValue 'sse' */
  accept?: 'sse' | 'json';
}

/** Per-call options of the REST methods. */
export interface HistoryRequestOptions {
  /** Aborts the call; it then rejects with an `aborted` ChatError. */
  signal?: AbortSignal;
}

/** Options of the paginated REST methods. */
export interface HistoryPageOptions extends HistoryRequestOptions {
  /** The `nextCursor` of the previous page; absent or `null` for the first page. */
  cursor?: string | null;
  /** Page size. @defaultValue the server's (50 conversations, 100 messages) */
  limit?: number;
}

/**
 * A {@link ChatTransport} for persisted conversations (its `send` needs `request.conversationId`), plus the REST
 * calls of the history endpoints. Every method rejects with a `ChatError` only; every answer is validated.
 * @see docs/protocol.md, "History endpoints"
 */
export interface HistoryTransport extends ChatTransport {
  /** `GET /conversations`: a page of conversations, newest `updatedAt` first. */
  listConversations(options?: HistoryPageOptions): Promise<ConversationPage>;
  /** `POST /conversations`: creates one; with an `id` that exists, returns the stored one (idempotent). */
  createConversation(input?: { id?: string; title?: string }, options?: HistoryRequestOptions): Promise<Conversation>;
  /** `GET /conversations/:id`. */
  getConversation(id: string, options?: HistoryRequestOptions): Promise<Conversation>;
  /** `PATCH /conversations/:id` with a new title (1–200 characters after trimming). */
  renameConversation(id: string, title: string, options?: HistoryRequestOptions): Promise<Conversation>;
  /** `DELETE /conversations/:id`: the conversation and its messages. */
  deleteConversation(id: string, options?: HistoryRequestOptions): Promise<void>;
  /** `GET /conversations/:id/messages`: the newest page first, each page oldest first. */
  listMessages(id: string, options?: HistoryPageOptions): Promise<MessagePage>;
  /** `POST /conversations/:id/messages/:messageId/stop`: the user stopped that answer. */
  stopAnswer(conversationId: string, messageId: string, options?: HistoryRequestOptions): Promise<void>;
}

function readConversation(body: unknown): Conversation | undefined {
  return isRecord(body) ? parseConversation(body.conversation) : undefined;
}

function pageQuery(options: HistoryPageOptions): string {
  const query = new URLSearchParams();
  if (options.cursor !== undefined && options.cursor !== null) query.set('cursor', options.cursor);
  if (options.limit !== undefined) query.set('limit', String(options.limit));
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * Creates the client of docs/protocol.md's history endpoints. Pass it to `createConversationStore`, or use it as
 * the transport of a single `createChatStore` with a `conversationId`: its `send` POSTs the new user message (the
 * server owns the history), reads the answer exactly as `createSseTransport` does, adopts the server's answer id,
 * and on a user stop tells the server, so the stored answer ends `cancelled`.
 *
 * @example
 * const history = createHistoryTransport({ baseUrl: '/api', credentials: 'include' });
 * const { conversations } = await history.listConversations({ limit: 20 });
 * const chat = createChatStore({ transport: history, conversationId: conversations[0].id });
 */
export function createHistoryTransport(options: HistoryTransportOptions = {}): HistoryTransport {
  const base = (options.baseUrl ?? '/api').replace(/\/+$/, '');
  const conversationUrl = (id: string): string => `${base}/conversations/${encodeURIComponent(id)}`;

  async function call(method: HttpCall['method'], url: string, body: unknown, signal: AbortSignal | undefined): Promise<Response> {
    return sendHttpCall(options, { method, url, body, accept: 'application/json', signal: signal ?? new AbortController().signal });
  }

  async function callJson<T>(
    method: HttpCall['method'],
    url: string,
    read: (body: unknown) => T | undefined,
    init: { body?: unknown; signal?: AbortSignal | undefined },
  ): Promise<T> {
    const signal = init.signal ?? new AbortController().signal;
    try {
      const response = await call(method, url, init.body, signal);
      const value = read(await readJsonBody(response, signal));
      if (value === undefined) throw new ChatError('bad_response', defaultErrorMessage('bad_response'), { status: response.status });
      return value;
    } catch (error) {
      throw toChatError(error);
    }
  }

  async function callEmpty(method: HttpCall['method'], url: string, signal: AbortSignal | undefined): Promise<void> {
    const response = await call(method, url, undefined, signal);
    // 204 has no body; anything a server adds anyway is not read.
    response.body?.cancel().catch(() => undefined);
  }

  const stopAnswer: HistoryTransport['stopAnswer'] = (conversationId, messageId, requestOptions = {}) =>
    callEmpty('POST', `${conversationUrl(conversationId)}/messages/${encodeURIComponent(messageId)}/stop`, requestOptions.signal);

  const sendContext: HistorySendContext = {
    options,
    accept: options.accept ?? 'sse',
    messagesUrl: (id) => `${conversationUrl(id)}/messages`,
    stopAnswer: (conversationId, messageId) => stopAnswer(conversationId, messageId),
  };

  return {
    send: (request, { signal }) => sendHistoryTurn(sendContext, request, signal),
    listConversations: (page = {}) => callJson('GET', `${base}/conversations${pageQuery(page)}`, parseConversationPage, page),
    createConversation: (input = {}, requestOptions = {}) =>
      callJson('POST', `${base}/conversations`, readConversation, { body: input, signal: requestOptions.signal }),
    getConversation: (id, requestOptions = {}) => callJson('GET', conversationUrl(id), readConversation, requestOptions),
    renameConversation: (id, title, requestOptions = {}) =>
      callJson('PATCH', conversationUrl(id), readConversation, { body: { title }, signal: requestOptions.signal }),
    deleteConversation: (id, requestOptions = {}) => callEmpty('DELETE', conversationUrl(id), requestOptions.signal),
    listMessages: (id, page = {}) => callJson('GET', `${conversationUrl(id)}/messages${pageQuery(page)}`, parseMessagePage, page),
    stopAnswer,
  };
}
