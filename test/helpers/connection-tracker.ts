/** How a tracked request ended; `undefined` while it is still open. */
export type ConnectionEnd = 'failed' | 'aborted' | 'read' | 'errored' | 'cancelled' | 'no-body';

/** One request made through a {@link ConnectionTracker}. */
export interface TrackedConnection {
  url: string;
  method: string;
  /** The JSON body the caller sent, parsed (`undefined` for none or non-JSON). */
  body: unknown;
  /** The signal the caller passed, so a test can check it was aborted. */
  signal: AbortSignal | undefined;
  end: ConnectionEnd | undefined;
}

/** A `fetch` that counts open connections: each request is open until its body is read, cancelled or errors. */
export interface ConnectionTracker {
  /** Pass it as a transport's (or the OpenAI client's) `fetch` option. */
  fetch: typeof fetch;
  readonly connections: readonly TrackedConnection[];
  /** The requests not yet released: neither failed, nor aborted, nor their body read to the end or cancelled. */
  open(): TrackedConnection[];
  /** The most recent request. */
  last(): TrackedConnection;
}

function parseBody(body: RequestInit['body']): unknown {
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Instruments `inner` (by default the global `fetch`, read at each call so MSW's interception applies) without
 * changing what it answers: the response's body is re-exposed through a stream that notes when its reader reaches
 * the end, cancels it, or sees it fail. A connection a client forgets (a body never read nor cancelled, a request
 * never aborted) therefore stays in {@link ConnectionTracker.open}, which is what "no request left open" asserts.
 */
export function createConnectionTracker(inner: typeof fetch = (input, init) => globalThis.fetch(input, init)): ConnectionTracker {
  const connections: TrackedConnection[] = [];

  const trackedFetch: typeof fetch = async (input, init) => {
    const connection: TrackedConnection = {
      url: input instanceof Request ? input.url : String(input),
      method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
      body: parseBody(init?.body),
      signal: init?.signal ?? (input instanceof Request ? input.signal : undefined),
      end: undefined,
    };
    connections.push(connection);
    const close = (end: ConnectionEnd): void => {
      connection.end ??= end;
    };
    // Aborting a fetch tears its connection down, whether or not anyone reads the body afterwards.
    if (connection.signal?.aborted) close('aborted');
    connection.signal?.addEventListener('abort', () => close('aborted'), { once: true });

    let response: Response;
    try {
      response = await inner(input, init);
    } catch (error) {
      close('failed');
      throw error;
    }
    if (response.body === null) {
      close('no-body');
      return response;
    }
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const { done, value } = await reader.read();
            if (done) {
              close('read');
              controller.close();
            } else controller.enqueue(value);
          } catch (error) {
            close('errored');
            controller.error(error);
          }
        },
        cancel(reason) {
          close('cancelled');
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    const wrapped = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    Object.defineProperty(wrapped, 'url', { value: response.url });
    return wrapped;
  };

  return {
    fetch: trackedFetch,
    connections,
    open: () => connections.filter((connection) => connection.end === undefined),
    last() {
      const connection = connections[connections.length - 1];
      if (connection === undefined) throw new Error('No request was made.');
      return connection;
    },
  };
}
