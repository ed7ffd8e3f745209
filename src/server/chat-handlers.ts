import type { ChatError } from '../core/index.js';
import type { ChatHandlersOptions, ChatLogEvent } from './chat-options.js';
import type { ParsedChatRequest } from './chat-request.js';
import { createChatRuntime, positiveInteger } from './chat-runtime.js';
import { createClientLimits, failureIsBilled, tokensToCharge, type ClientLease } from './client-limits.js';
import { requestCompletion, type CompletionCall } from './completion.js';
import { streamCompletion } from './completion-stream.js';
import { createCors } from './cors.js';
import { errorResponse, jsonResponse, statusOf } from './http-response.js';
import { readJsonBody } from './json-body.js';
import { createClientKey, createRateLimitCheck, forwardedForKey, rateLimitedError, setRateLimitHeaders } from './rate-limit.js';
import { resolveStreamLimits } from './stream-limits.js';
import { unexpectedChatError } from './upstream-error.js';

/** A web-standard route handler: what Next.js App Router, Remix, Hono, Bun and Deno call. */
export type RouteHandler = (request: Request) => Promise<Response>;

/** The handlers {@link createChatHandlers} returns; export each as the HTTP method of a route. */
export interface ChatRouteHandlers {
  /** `POST /api/chat`: the whole answer as JSON (Pattern 1). */
  chat: RouteHandler;
  /** `POST /api/chat/stream`: the answer as server-sent events (Pattern 2). */
  stream: RouteHandler;
  /** `OPTIONS` on either route: the CORS preflight (204 for allowed origins, 403 otherwise). */
  options: RouteHandler;
}

/**
 * Creates the protocol's chat endpoints on the official `openai` SDK, as web-standard handlers. Each request is
 * rate-limited (when configured) and admitted by the per-client caps (answers in flight, token budget) before its
 * body is read, validated with the protocol's rules, answered by the configured model (the client never picks the
 * model or a generation parameter), logged once without content, and answered with security headers and CORS for
 * allowed origins only. The API key stays on the server: it is read
 * from `OPENAI_API_KEY` on first use, and no response, header, log event or error carries it.
 *
 * @example
 * // app/api/chat/stream/route.ts
 * import { createChatHandlers } from 'colloquy/server';
 * const handlers = createChatHandlers({ model: 'gpt-4o-mini', system: 'You are a helpful assistant.' });
 * export const POST = handlers.stream;
 * @see docs/protocol.md
 */
export function createChatHandlers(options: ChatHandlersOptions): ChatRouteHandlers {
  const runtime = createChatRuntime(options);
  const cors = createCors(options.cors);
  const maxBodyBytes = positiveInteger('maxBodyBytes', options.maxBodyBytes, 256 * 1024);
  const heartbeatMs = positiveInteger('heartbeatMs', options.heartbeatMs, 15_000);
  const streamLimits = resolveStreamLimits(options);
  const clientKey = createClientKey(options.rateLimit?.key, forwardedForKey);
  const checkRateLimit = options.rateLimit === undefined ? undefined : createRateLimitCheck(options.rateLimit);
  const admit = createClientLimits(options);

  async function handle(route: 'chat' | 'stream', request: Request): Promise<Response> {
    const started = Date.now();
    const requestId = runtime.generateId();
    const headers = new Headers({ 'X-Request-Id': requestId });
    cors.apply(request, headers);
    let parsed: ParsedChatRequest | undefined;
    let lease: ClientLease | undefined;
    const log = (status: number, fields: Partial<ChatLogEvent>, severity?: number): void =>
      runtime.log({ requestId, route, status, latencyMs: Date.now() - started, model: runtime.model, ...fields }, severity);

    try {
      const key = await clientKey(request);
      if (checkRateLimit !== undefined) {
        const decision = await checkRateLimit(key);
        setRateLimitHeaders(headers, decision);
        if (!decision.allowed) throw rateLimitedError(decision);
      }
      lease = await admit(key);
      const admitted = lease;
      const turn = runtime.parse(await readJsonBody(request, maxBodyBytes));
      parsed = turn;
      const call: CompletionCall = {
        client: runtime.client(),
        params: runtime.params(turn),
        timeoutMs: runtime.timeoutMs,
        ...(runtime.maxRetries === undefined ? {} : { maxRetries: runtime.maxRetries }),
        request,
        secrets: runtime.secrets(),
      };

      if (route === 'chat') {
        const answer = await requestCompletion(call).catch((error: unknown) => {
          // requestCompletion rejects with ChatErrors only.
          if (failureIsBilled(error as ChatError, '')) admitted.charge(tokensToCharge(undefined, call.params, ''));
          throw error;
        });
        admitted.charge(tokensToCharge(answer.usage, call.params, answer.text));
        const usage = answer.usage === undefined ? undefined : runtime.reportUsage(answer.model, answer.usage);
        log(200, { finishReason: answer.finishReason, ...(usage === undefined ? {} : { usage }), ...runtime.contentFields(turn, answer.text) });
        return jsonResponse(
          {
            message: { id: runtime.generateId(), role: 'assistant', parts: [{ type: 'text', text: answer.text }] },
            ...(answer.usage === undefined ? {} : { usage: answer.usage }),
            finishReason: answer.finishReason,
          },
          200,
          headers,
        );
      }

      const response = await streamCompletion({
        ...call,
        ...streamLimits,
        request,
        heartbeatMs,
        headers,
        onFinish(finish) {
          admitted.charge(tokensToCharge(finish.usage, call.params, finish.text));
          const usage = finish.usage === undefined ? undefined : runtime.reportUsage(finish.model, finish.usage);
          log(200, { finishReason: finish.finishReason, ...(usage === undefined ? {} : { usage }), ...runtime.contentFields(turn, finish.text) });
        },
        onError(error, forwardedText, responded) {
          if (failureIsBilled(error, forwardedText)) admitted.charge(tokensToCharge(undefined, call.params, forwardedText));
          const fields = { ...runtime.errorFields(error), ...runtime.contentFields(turn, forwardedText) };
          log(responded ? 200 : statusOf(error), fields, statusOf(error));
        },
        onSettled: () => admitted.release(),
      });
      // The stream holds the slot until it settles.
      lease = undefined;
      return response;
    } catch (caught) {
      const error = unexpectedChatError(caught, request.signal.aborted);
      log(statusOf(error), { ...runtime.errorFields(error), ...runtime.contentFields(parsed, undefined) });
      return errorResponse(error, headers);
    } finally {
      lease?.release();
    }
  }

  return {
    chat: (request) => handle('chat', request),
    stream: (request) => handle('stream', request),
    options: (request) => Promise.resolve(cors.preflight(request)),
  };
}
