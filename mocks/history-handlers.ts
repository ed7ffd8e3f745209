import { delay, http, HttpResponse, type HttpHandler } from 'msw';
import { normalizeTitle } from '../src/core/index.js';
import type { ChatFault, ChatHandlerOptions, StreamFault } from './chat-handlers.js';
import { errorResponse, faultResponse, isServerErrorCode, type ResponseFault } from './error-response.js';
import { answerQuestion, readQuestion } from './history-answer.js';
import { createHistoryDb, type HistoryDb } from './history-db.js';

/**
 * Failures to play per endpoint instead of answering. `save` is `POST …/messages` ("a failed save"): a response
 * fault refuses it before anything is stored; a stream fault stores the user's message, then breaks the answer
 * (which is stored as forwarded, status `error`).
 */
export interface HistoryFaults {
  /** `GET /conversations` */
  list?: ResponseFault;
  /** `POST /conversations` */
  create?: ResponseFault;
  /** `GET /conversations/:id` */
  get?: ResponseFault;
  /** `PATCH /conversations/:id` */
  rename?: ResponseFault;
  /** `DELETE /conversations/:id` */
  delete?: ResponseFault;
  /** `GET /conversations/:id/messages` */
  messages?: ResponseFault;
  /** `POST /conversations/:id/messages` */
  save?: ChatFault;
  /** `POST /conversations/:id/messages/:messageId/stop` */
  stop?: ResponseFault;
}

/** Options of {@link createHistoryHandlers}: the chat handlers' (`fault` is `faults.save`), plus the database and faults. */
export interface HistoryHandlerOptions extends ChatHandlerOptions {
  /** The data it serves; share one between handler sets, or inspect it in tests. @defaultValue a fresh `createHistoryDb()` */
  db?: HistoryDb;
  /** Failures per endpoint. @defaultValue none */
  faults?: HistoryFaults;
}

/** Every history endpoint, keyed so a story or test overrides one: `{ ...createHistoryHandlers(), list: other }`. */
export interface HistoryHandlers {
  /** `GET /api/conversations` */
  list: HttpHandler;
  /** `POST /api/conversations` */
  create: HttpHandler;
  /** `GET /api/conversations/:id` */
  get: HttpHandler;
  /** `PATCH /api/conversations/:id` */
  rename: HttpHandler;
  /** `DELETE /api/conversations/:id` */
  delete: HttpHandler;
  /** `GET /api/conversations/:id/messages` */
  messages: HttpHandler;
  /** `POST /api/conversations/:id/messages` */
  save: HttpHandler;
  /** `POST /api/conversations/:id/messages/:messageId/stop` */
  stop: HttpHandler;
}

const STREAM_FAULTS: readonly ChatFault[] = ['stream_cut', 'stream_truncated', 'malformed_chunk', 'error_event', 'stream_stall'];

function isResponseFault(fault: ChatFault | undefined): fault is ResponseFault {
  return fault === 'network' || fault === 'bad_response' || isServerErrorCode(fault);
}

function notFound(): Response {
  return errorResponse('not_found', { message: 'There is no such conversation.' });
}

/** `limit` as the protocol reads it: absent is the default, above 200 is 200, anything but a positive integer is 400. */
function readLimit(url: URL, fallback: number): number | Response {
  const raw = url.searchParams.get('limit');
  if (raw === null) return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1) return errorResponse('invalid_input', { message: '"limit" must be a positive integer.' });
  return Math.min(limit, 200);
}

const invalid = (message: string): Response => errorResponse('invalid_input', { message });
const badCursor = (): Response => invalid('The cursor is not one this server issued.');
const TITLE_RULE = 'A title needs 1 to 200 characters.';

/**
 * MSW handlers implementing docs/protocol.md's history endpoints over a {@link HistoryDb}: listing and paging (messages
 * backwards), idempotent create and send, streaming with the answer stored exactly as forwarded, the stop call, and
 * per-endpoint faults. Paths are `{baseUrl}/api/conversations…`.
 *
 * @example
 * const db = createHistoryDb();
 * server.use(...Object.values(createHistoryHandlers({ db, faults: { rename: 'server_error' } })));
 * @example
 * // Storybook (the data survives a reload):
 * const db = createHistoryDb({ storage: sessionStorage });
 * export default { parameters: { msw: { handlers: { history: Object.values(createHistoryHandlers({ db })) } } } };
 */
export function createHistoryHandlers(options: HistoryHandlerOptions = {}): HistoryHandlers {
  const base = `${(options.baseUrl ?? '*').replace(/\/+$/, '')}/api/conversations`;
  const db = options.db ?? createHistoryDb();
  const { faults = {} } = options;
  const retry = options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds };

  /** Latency, then the endpoint's fault when it is one played instead of a response. */
  async function prelude(fault: ChatFault | undefined): Promise<Response | undefined> {
    const { latencyMs = 0 } = options;
    if (latencyMs === 'infinite') await delay('infinite');
    else if (latencyMs > 0) await delay(latencyMs);
    return isResponseFault(fault) ? faultResponse(fault, retry) : undefined;
  }

  async function readBody(request: Request): Promise<unknown> {
    const text = await request.text();
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }

  return {
    list: http.get(base, async ({ request }) => {
      const early = await prelude(faults.list);
      if (early) return early;
      const url = new URL(request.url);
      const limit = readLimit(url, 50);
      if (limit instanceof Response) return limit;
      const page = db.listConversations({ cursor: url.searchParams.get('cursor'), limit });
      return page ? HttpResponse.json(page) : badCursor();
    }),
    create: http.post(base, async ({ request }) => {
      const early = await prelude(faults.create);
      if (early) return early;
      const body = await readBody(request);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalid('The body must be a JSON object.');
      const { id, title } = body as { id?: unknown; title?: unknown };
      if (id !== undefined && (typeof id !== 'string' || id === '')) return invalid('"id" must be a non-empty string.');
      const normalized = title === undefined ? undefined : normalizeTitle(title);
      if (title !== undefined && normalized === undefined) return invalid(TITLE_RULE);
      const input = { ...(id === undefined ? {} : { id }), ...(normalized === undefined ? {} : { title: normalized }) };
      const result = db.createConversation(input);
      return HttpResponse.json({ conversation: result.conversation }, { status: result.created ? 201 : 200 });
    }),
    get: http.get(`${base}/:id`, async ({ params }) => {
      const early = await prelude(faults.get);
      if (early) return early;
      const conversation = db.getConversation(String(params.id));
      return conversation ? HttpResponse.json({ conversation }) : notFound();
    }),
    rename: http.patch(`${base}/:id`, async ({ request, params }) => {
      const early = await prelude(faults.rename);
      if (early) return early;
      const body = await readBody(request);
      const title = normalizeTitle(typeof body === 'object' && body !== null ? (body as { title?: unknown }).title : undefined);
      if (db.getConversation(String(params.id)) === undefined) return notFound();
      if (title === undefined) return invalid(TITLE_RULE);
      return HttpResponse.json({ conversation: db.renameConversation(String(params.id), title) });
    }),
    delete: http.delete(`${base}/:id`, async ({ params }) => {
      const early = await prelude(faults.delete);
      if (early) return early;
      return db.deleteConversation(String(params.id)) ? new HttpResponse(null, { status: 204 }) : notFound();
    }),
    messages: http.get(`${base}/:id/messages`, async ({ request, params }) => {
      const early = await prelude(faults.messages);
      if (early) return early;
      const url = new URL(request.url);
      const limit = readLimit(url, 100);
      if (limit instanceof Response) return limit;
      const page = db.listMessages(String(params.id), { cursor: url.searchParams.get('cursor'), limit });
      return page === undefined ? notFound() : page === null ? badCursor() : HttpResponse.json(page);
    }),
    save: http.post(`${base}/:id/messages`, async ({ request, params }) => {
      const fault = faults.save ?? options.fault;
      const early = await prelude(fault);
      if (early) return early;
      const conversationId = String(params.id);
      if (db.getConversation(conversationId) === undefined) return notFound();
      const question = readQuestion(await readBody(request), options.maxInputLength ?? 4000);
      if (question instanceof Response) return question;
      const streamFault = STREAM_FAULTS.includes(fault as ChatFault) ? (fault as StreamFault) : undefined;
      return answerQuestion(db, conversationId, question, request, { ...options, streamFault });
    }),
    stop: http.post(`${base}/:id/messages/:messageId/stop`, async ({ params }) => {
      const early = await prelude(faults.stop);
      if (early) return early;
      const conversationId = String(params.id);
      if (db.getConversation(conversationId) === undefined) return notFound();
      const stopped = db.live.stop(conversationId, String(params.messageId));
      if (!stopped) return errorResponse('not_found', { message: 'There is no such answer.' });
      return new HttpResponse(null, { status: 204 });
    }),
  };
}
