import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ChatEvent, ChatMessage, ChatRequest, ChatTransport } from 'colloquy/core';

/** The endpoint every transport test talks to (MSW needs absolute URLs in Node). */
export const CHAT_URL = 'http://localhost/api/chat';

/** Starts an MSW server for the calling test file; tests add handlers with `server.use`. */
export function setupMswServer(): ReturnType<typeof setupServer> {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** A one-message conversation. */
export function userRequest(text = 'Hello', extra: Partial<ChatRequest> = {}): ChatRequest {
  const message: ChatMessage = {
    id: 'm1',
    parentId: null,
    role: 'user',
    parts: [{ type: 'text', text, state: 'done' }],
    createdAt: '2025-01-01T00:00:00.000Z',
    status: 'pending',
  };
  return { messages: [message], ...extra };
}

/** What a transport produced: the events it yielded, and the error it threw (if any). */
export interface Collected {
  events: ChatEvent[];
  error: unknown;
}

/** Runs one turn to the end, keeping both the events yielded before a failure and the failure. */
export async function collect(transport: ChatTransport, request: ChatRequest = userRequest(), signal = new AbortController().signal): Promise<Collected> {
  const events: ChatEvent[] = [];
  try {
    for await (const event of transport.send(request, { signal })) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

/** The concatenated text of the `delta` events. */
export function deltaText(events: ChatEvent[]): string {
  return events.map((event) => (event.type === 'delta' ? event.content : '')).join('');
}

const encoder = new TextEncoder();

function toBytes(chunk: string | Uint8Array): Uint8Array {
  return typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}

/** A body stream that delivers exactly these chunks, then closes (or stays open when `close` is false). */
export function streamOf(chunks: Array<string | Uint8Array>, { close = true } = {}): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(toBytes(chunk));
      if (close) controller.close();
    },
  });
}

/** A body stream the test writes to while the transport reads it. */
export interface ControlledStream {
  stream: ReadableStream<Uint8Array>;
  push(chunk: string | Uint8Array): void;
  close(): void;
  fail(error: unknown): void;
  /** Resolves when the reader cancels the stream. */
  cancelled: Promise<unknown>;
}

/** Creates a {@link ControlledStream}. */
export function controlledStream(): ControlledStream {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let onCancel!: (reason: unknown) => void;
  const cancelled = new Promise<unknown>((resolve) => (onCancel = resolve));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel(reason) {
      onCancel(reason);
    },
  });
  return {
    stream,
    push: (chunk) => controller.enqueue(toBytes(chunk)),
    close: () => controller.close(),
    fail: (error) => controller.error(error),
    cancelled,
  };
}

/** Headers of an event-stream answer. */
export const SSE_HEADERS = { 'Content-Type': 'text/event-stream' };

/** One `data:` frame holding `payload` as JSON. */
export function frame(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** The end-of-answer frame. */
export const DONE_FRAME = 'data: [DONE]\n\n';
