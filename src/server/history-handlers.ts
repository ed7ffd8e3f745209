import { ChatError, defaultErrorMessage } from '../core/index.js';
import type { RouteHandler } from './chat-handlers.js';
import type { ChatHandlersOptions, ChatLogEvent, HistoryOperation } from './chat-options.js';
import { createChatRuntime, positiveInteger } from './chat-runtime.js';
import { createClientLimits, type ClientLease } from './client-limits.js';
import type { ConversationStore } from './conversation-store.js';
import { createCors } from './cors.js';
import { createLiveAnswers } from './history-live.js';
import { createHistoryOperations } from './history-operations.js';
import { HISTORY_METHODS, HISTORY_OPERATIONS, matchHistoryRoute, normalizeBasePath, type HistoryResource } from './history-routes.js';
import { errorResponse, statusOf } from './http-response.js';
import { createMemoryConversationStore } from './memory-conversation-store.js';
import { createClientKey, createRateLimitCheck, rateLimitedError, setRateLimitHeaders, type ServerRateLimitOptions } from './rate-limit.js';
import { resolveStreamLimits } from './stream-limits.js';
import { unexpectedChatError } from './upstream-error.js';

/** Options of {@link createHistoryHandlers}: the chat handlers' (model, limits, client, logs, CORS), plus these. */
export interface HistoryHandlersOptions extends Omit<ChatHandlersOptions, 'rateLimit'> {
  /**
   * Who is asking: the owner id of the signed-in user (from your session or token), or `null` when nobody is
   * signed in (401 `unauthorized`). Called for every request but CORS preflights; throw a `ChatError('forbidden')`
   * to answer 403. Conversations are namespaced by this id.
   */
  authorize: (request: Request) => Promise<string | null> | string | null;
  /** Where conversations live. @defaultValue a {@link createMemoryConversationStore} (lost on restart) */
  store?: ConversationStore;
  /** The path the endpoints are mounted at, as it appears in `request.url`. @defaultValue '/api/conversations' */
  basePath?: string;
  /**
   * Per-user sliding-window limit on sends (`POST …/messages`, the requests that reach the model), counted after
   * `authorize`. Its key (by default the owner id) is also the key of `concurrency` and `tokenBudget`, which apply
   * to sends. @defaultValue none; with no `key`, the owner id
   */
  rateLimit?: ServerRateLimitOptions<[request: Request, ownerId: string]>;
}

/** The handlers {@link createHistoryHandlers} returns: per endpoint, per HTTP method, and one router. */
export interface HistoryRouteHandlers {
  /** `GET` (list) and `POST` (create) on `{basePath}`. */
  conversations: { GET: RouteHandler; POST: RouteHandler };
  /** `GET`, `PATCH` (rename) and `DELETE` on `{basePath}/:id`. */
  conversation: { GET: RouteHandler; PATCH: RouteHandler; DELETE: RouteHandler };
  /** `GET` (a page) and `POST` (send, JSON or SSE) on `{basePath}/:id/messages`. */
  messages: { GET: RouteHandler; POST: RouteHandler };
  /** `POST` on `{basePath}/:id/messages/:messageId/stop`. */
  stop: { POST: RouteHandler };
  /** Every endpoint by path and method, CORS preflights included: for any fetch-style server. */
  handle: RouteHandler;
  /** {@link HistoryRouteHandlers.handle}, named for a Next.js catch-all route's exports. */
  GET: RouteHandler;
  POST: RouteHandler;
  PATCH: RouteHandler;
  DELETE: RouteHandler;
  OPTIONS: RouteHandler;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Creates the protocol's history endpoints: conversations listed, created (idempotently), read, renamed and deleted;
 * messages paged backwards and sent, the answer streamed from the configured model and stored exactly as forwarded;
 * and the stop call. Every request passes `authorize`, and every read and write is scoped to its owner, so another
 * user's conversation answers 404 exactly like a missing one. Sends are validated as the chat endpoints validate
 * (the client never picks the model or a parameter), rate-limited when configured, and logged once.
 *
 * @example
 * // app/api/conversations/[[...path]]/route.ts
 * import { createHistoryHandlers, createSqlConversationStore } from 'colloquy/server';
 * export const { GET, POST, PATCH, DELETE, OPTIONS } = createHistoryHandlers({
 *   model: 'gpt-4o-mini',
 *   store: createSqlConversationStore({ client: pool }),
 *   authorize: async () => (await auth())?.user?.id ?? null,
 * });
 * @see docs/protocol.md, "History endpoints"
 */
export function createHistoryHandlers(options: HistoryHandlersOptions): HistoryRouteHandlers {
  if (typeof options.authorize !== 'function') throw new TypeError('authorize is required: it returns the signed-in user’s id, or null.');
  const runtime = createChatRuntime(options);
  const basePath = normalizeBasePath(options.basePath ?? '/api/conversations');
  const cors = createCors(options.cors, HISTORY_METHODS);
  const clientKey = createClientKey(options.rateLimit?.key, (_request: Request, ownerId: string) => ownerId);
  const checkRateLimit = options.rateLimit === undefined ? undefined : createRateLimitCheck(options.rateLimit);
  const admit = createClientLimits(options);
  const operations = createHistoryOperations({
    runtime,
    store: options.store ?? createMemoryConversationStore(),
    live: createLiveAnswers(),
    maxBodyBytes: positiveInteger('maxBodyBytes', options.maxBodyBytes, 256 * 1024),
    heartbeatMs: positiveInteger('heartbeatMs', options.heartbeatMs, 15_000),
    streamLimits: resolveStreamLimits(options),
    now: () => new Date(),
  });

  async function ownerOf(request: Request): Promise<string> {
    const ownerId = await options.authorize(request);
    if (ownerId === null || ownerId === undefined || ownerId === '') {
      throw new ChatError('unauthorized', defaultErrorMessage('unauthorized'), { status: 401 });
    }
    if (typeof ownerId !== 'string') throw new TypeError('authorize must return a string owner id or null.');
    return ownerId;
  }

  /** Answers `request`; `only` restricts it to one resource and method (the per-endpoint handlers). */
  async function run(request: Request, only?: { resource: HistoryResource; method: string }): Promise<Response> {
    const started = Date.now();
    const requestId = runtime.generateId();
    const headers = new Headers({ 'X-Request-Id': requestId });
    cors.apply(request, headers);
    let operation: HistoryOperation | undefined;
    let logged = false;
    const log = (status: number, fields: Partial<ChatLogEvent>, severity?: number): void => {
      if (logged) return;
      logged = true;
      const event: ChatLogEvent = { requestId, route: 'history', status, latencyMs: Date.now() - started, model: runtime.model, ...fields };
      runtime.log(operation === undefined ? event : { ...event, operation }, severity);
    };

    try {
      if (request.method === 'OPTIONS' && only === undefined) return cors.preflight(request);
      // A cookie-authenticated write from another site (a form, a no-cors fetch) is refused unless CORS allows it.
      const site = request.headers.get('sec-fetch-site');
      if (!SAFE_METHODS.has(request.method) && (site === 'cross-site' || site === 'same-site') && !cors.allowsOrigin(request)) {
        throw new ChatError('forbidden', 'Requests from other sites are not allowed.', { status: 403 });
      }
      const ownerId = await ownerOf(request);
      const route = matchHistoryRoute(request.url, basePath);
      if (route === null || (only !== undefined && route.resource !== only.resource)) {
        throw new ChatError('not_found', 'There is no such endpoint.', { status: 404 });
      }
      const allowed = HISTORY_OPERATIONS[route.resource];
      operation = only !== undefined && request.method !== only.method ? undefined : allowed[request.method];
      if (operation === undefined) {
        headers.set('Allow', Object.keys(only === undefined ? allowed : { [only.method]: true }).join(', '));
        throw new ChatError('invalid_input', `${request.method} is not allowed here.`, { status: 405 });
      }
      let lease: ClientLease | undefined;
      if (operation === 'send') {
        const key = await clientKey(request, ownerId);
        if (checkRateLimit !== undefined) {
          const decision = await checkRateLimit(key);
          setRateLimitHeaders(headers, decision);
          if (!decision.allowed) throw rateLimitedError(decision);
        }
        lease = await admit(key);
      }
      // A send releases its lease on every path it returns from (a stream, once it settles); a throw releases it here.
      const response = await operations[operation]({ request, ownerId, route, headers, log, ...(lease === undefined ? {} : { lease }) }).catch(
        (error: unknown) => {
          lease?.release();
          throw error;
        },
      );
      // A send logs itself once the model was asked: a stream ends after this returns.
      if (operation !== 'send') log(response.status, {});
      return response;
    } catch (caught) {
      const error = unexpectedChatError(caught, request.signal.aborted);
      log(statusOf(error), runtime.errorFields(error));
      return errorResponse(error, headers);
    }
  }

  const handle: RouteHandler = (request) => run(request);
  const only =
    (resource: HistoryResource, method: string): RouteHandler =>
    (request) =>
      run(request, { resource, method });

  return {
    conversations: { GET: only('conversations', 'GET'), POST: only('conversations', 'POST') },
    conversation: { GET: only('conversation', 'GET'), PATCH: only('conversation', 'PATCH'), DELETE: only('conversation', 'DELETE') },
    messages: { GET: only('messages', 'GET'), POST: only('messages', 'POST') },
    stop: { POST: only('stop', 'POST') },
    handle,
    GET: handle,
    POST: handle,
    PATCH: handle,
    DELETE: handle,
    OPTIONS: handle,
  };
}
