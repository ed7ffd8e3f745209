import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** A web-standard `(request) => Promise<Response>` handler, as `colloquy/server` exports them. */
export type WebHandler = (request: Request) => Promise<Response>;

/** How {@link serveOnLoopback} mounts a handler. */
export interface LoopbackOptions {
  /**
   * Whether a connection may serve more than one request. `false` answers every request with `Connection: close`:
   * a test that counts retained memory would otherwise count idle pooled sockets, and a pooled socket the server
   * times out races the client's next request (`ECONNRESET`).
   * @defaultValue true
   */
  keepAlive?: boolean;
  /**
   * Called per request with the milliseconds from its arrival to the first body byte handed to the socket. A client
   * in the same process cannot time that itself: it reads only once the server yields.
   */
  onFirstByte?: (ms: number) => void;
  /**
   * Whether a write the socket cannot take yet waits for `drain` before the next read of the body. `false` hands
   * every chunk over as it comes and lets node:http buffer it: only for a benchmark whose recorded figures were
   * measured that way, since the waits change how the socket batches writes, and so the CPU a path costs.
   * @defaultValue true
   */
  waitForDrain?: boolean;
  /**
   * Called when the adapter or the handler throws; the connection is destroyed either way, so the client sees a
   * reset rather than a hang. Without it the error is rethrown as an unhandled rejection, which fails the run.
   */
  onError?: (error: unknown) => void;
}

/** A handler served on 127.0.0.1. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  port: number;
  /** Drops every open connection (keep-alive or mid-stream), then stops listening. */
  close(): Promise<void>;
}

/** Resolves once `res` can take more (`drain`) or never will (`close`): what a write that returned `false` waits for. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** The web `Request` for `req`, whose signal aborts when the client leaves before the answer ended. */
async function toRequest(req: IncomingMessage, res: ServerResponse): Promise<Request> {
  const connection = new AbortController();
  // A response closed before it finished means the socket went away: that is the runtime's "client left" signal.
  res.on('close', () => {
    if (!res.writableFinished) connection.abort();
  });
  // The kit's request bodies are small JSON: read whole, it needs no `duplex: 'half'` stream.
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  return new Request(`http://${req.headers.host}${req.url}`, {
    method: req.method,
    headers,
    ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
    signal: connection.signal,
  });
}

/** Writes `response` to `res` chunk by chunk as the body yields them, waiting for `drain` when the socket is full. */
async function writeResponse(response: Response, res: ServerResponse, options: LoopbackOptions, arrived: number): Promise<void> {
  res.writeHead(response.status, {
    ...Object.fromEntries(response.headers),
    ...(options.keepAlive === false ? { Connection: 'close' } : {}),
  });
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  // Cancelling is how the handler learns its answer has no reader any more (and stops its upstream request).
  res.on('close', () => void reader.cancel().catch(() => undefined));
  let first = true;
  for (let step = await reader.read(); !step.done; step = await reader.read()) {
    if (first && step.value.byteLength > 0) {
      first = false;
      options.onFirstByte?.(performance.now() - arrived);
    }
    // Waiting here is the backpressure: a client that stops reading stops the handler's reads, not the heap.
    if (!res.write(step.value) && options.waitForDrain !== false) await drained(res);
  }
  res.end();
}

/**
 * Serves `handle` on a free port of 127.0.0.1 through a minimal node:http adapter, the way production adapters
 * (Hono's node-server) mount a web handler: the request becomes a `Request` whose signal aborts when the client
 * leaves, and the `Response` body is written as it comes, with backpressure. Tests and benchmarks share it, so a
 * figure or a behaviour seen over real sockets never depends on which copy of an adapter a file used.
 *
 * @example
 * const server = await serveOnLoopback((request) => handlers.stream(request));
 * const response = await fetch(`${server.url}/api/chat/stream`, { method: 'POST', body });
 * await server.close();
 */
export async function serveOnLoopback(handle: WebHandler, options: LoopbackOptions = {}): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    const arrived = performance.now();
    void (async () => writeResponse(await handle(await toRequest(req, res)), res, options, arrived))().catch((error: unknown) => {
      res.destroy();
      if (options.onError === undefined) throw error;
      options.onError(error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
