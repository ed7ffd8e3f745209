import { abortable, abortedError } from './abortable.js';
import { ChatError, defaultErrorMessage, isChatError, toChatError } from './chat-error.js';
import { chatErrorFromResponse } from './error-from-response.js';
import type { HttpTransportOptions } from './http-transport-options.js';
import type { ChatRequest } from './transport.js';
import { toWireRequest } from './wire.js';

/** The connection options every HTTP call shares: the transport options without the endpoint. */
export type HttpClientOptions = Omit<HttpTransportOptions, 'url'>;

/** One HTTP call: `body` (when present) is sent as JSON. */
export interface HttpCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  accept: string;
  signal: AbortSignal;
}

/**
 * Sends one HTTP call and returns the OK response. Every failure is a {@link ChatError}: a non-2xx status through
 * `chatErrorFromResponse`, a rejected `fetch` through `toChatError`, and anything at all once `signal` has aborted as
 * `aborted` (a signal aborted with a custom reason makes fetch reject with that reason).
 */
export async function sendHttpCall(options: HttpClientOptions, call: HttpCall): Promise<Response> {
  const { signal } = call;
  let body: string | undefined;
  try {
    body = call.body === undefined ? undefined : JSON.stringify(call.body);
  } catch (cause) {
    throw new ChatError('invalid_input', 'The request could not be encoded as JSON.', { cause });
  }
  let response: Response;
  try {
    // A token refresh that hangs must not hold a stopped turn open either.
    const headers = new Headers(typeof options.headers === 'function' ? await abortable(Promise.resolve(options.headers()), signal) : options.headers);
    if (body === undefined) headers.delete('Content-Type');
    else headers.set('Content-Type', 'application/json');
    headers.set('Accept', call.accept);
    // Called through a local so a browser's fetch is never invoked with `options` as `this` ("Illegal invocation").
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const requestInit: RequestInit = { method: call.method, headers, signal };
    if (body !== undefined) requestInit.body = body;
    if (options.credentials !== undefined) requestInit.credentials = options.credentials;
    const pending = fetchImpl(call.url, requestInit);
    pending.then(
      // A custom fetch may ignore the signal and answer after the stop; release that answer's connection.
      (late) => {
        if (signal.aborted) late.body?.cancel().catch(() => undefined);
      },
      () => undefined,
    );
    response = await abortable(pending, signal);
  } catch (error) {
    if (!signal.aborted) throw toChatError(error);
    throw isChatError(error) && error.code === 'aborted' ? error : abortedError(error);
  }
  if (!response.ok) throw await abortable(chatErrorFromResponse(response), signal);
  return response;
}

/**
 * POSTs one turn as the protocol's JSON body to `options.url` and returns the OK response (see {@link sendHttpCall}).
 */
export function postChatRequest(
  options: HttpTransportOptions,
  request: ChatRequest,
  init: { signal: AbortSignal; accept: string },
): Promise<Response> {
  return sendHttpCall(options, { method: 'POST', url: options.url, body: toWireRequest(request), ...init });
}

/**
 * Reads an OK response's JSON body. A media type other than JSON (a login page, a proxy's error page) or a body that
 * does not parse is `bad_response`; the value itself is `unknown` until the caller validates it.
 */
export async function readJsonBody(response: Response, signal: AbortSignal): Promise<unknown> {
  const type = mediaType(response);
  if (type !== 'application/json' && !type.endsWith('+json')) {
    response.body?.cancel().catch(() => undefined);
    throw new ChatError('bad_response', defaultErrorMessage('bad_response'), { status: response.status });
  }
  const text = await abortable(response.text(), signal);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ChatError('bad_response', defaultErrorMessage('bad_response'), { status: response.status, cause });
  }
}

/** The media type of a response, lower-cased and without parameters (`text/event-stream; charset=utf-8` → `text/event-stream`). */
export function mediaType(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}
