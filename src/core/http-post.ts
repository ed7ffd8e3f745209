import { abortable, abortedError } from './abortable.js';
import { ChatError, isChatError, toChatError } from './chat-error.js';
import { chatErrorFromResponse } from './error-from-response.js';
import type { HttpTransportOptions } from './http-transport-options.js';
import type { ChatRequest } from './transport.js';
import { toWireRequest } from './wire.js';

/**
 * POSTs one turn as the protocol's JSON body and returns the OK response. Every failure is a {@link ChatError}:
 * a non-2xx status through `chatErrorFromResponse`, a rejected `fetch` through `toChatError`, and anything at all
 * once `signal` has aborted as `aborted` (a signal aborted with a custom reason makes fetch reject with that reason).
 */
export async function postChatRequest(
  options: HttpTransportOptions,
  request: ChatRequest,
  init: { signal: AbortSignal; accept: string },
): Promise<Response> {
  const { signal } = init;
  let body: string;
  try {
    body = JSON.stringify(toWireRequest(request));
  } catch (cause) {
    throw new ChatError('invalid_input', 'The request could not be encoded as JSON.', { cause });
  }
  let response: Response;
  try {
    // A token refresh that hangs must not hold a stopped turn open either.
    const headers = new Headers(typeof options.headers === 'function' ? await abortable(Promise.resolve(options.headers()), signal) : options.headers);
    headers.set('Content-Type', 'application/json');
    headers.set('Accept', init.accept);
    // Called through a local so a browser's fetch is never invoked with `options` as `this` ("Illegal invocation").
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const requestInit: RequestInit = { method: 'POST', headers, body, signal };
    if (options.credentials !== undefined) requestInit.credentials = options.credentials;
    const pending = fetchImpl(options.url, requestInit);
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

/** The media type of a response, lower-cased and without parameters (`text/event-stream; charset=utf-8` → `text/event-stream`). */
export function mediaType(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}
