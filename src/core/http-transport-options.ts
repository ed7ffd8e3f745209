/** Options shared by the HTTP transports (`createSseTransport`, `createJsonTransport`). */
export interface HttpTransportOptions {
  /** The chat endpoint; the transport POSTs each turn to it. */
  url: string;
  /**
   * Extra request headers (an `Authorization` token, say), or a function that returns them before each request,
   * so a token can be refreshed. `Content-Type` and `Accept` are always the protocol's and cannot be overridden.
   */
  headers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>);
  /**
   * The `fetch` to call, for tests, proxies or instrumentation. Read at each request, so a `fetch` patched later
   * (by MSW, for instance) is used. @defaultValue `globalThis.fetch`
   */
  fetch?: typeof fetch;
  /** Passed to `fetch`; set `'include'` to send cookies to another origin. @defaultValue the browser's (`'same-origin'`) */
  credentials?: RequestCredentials;
}
