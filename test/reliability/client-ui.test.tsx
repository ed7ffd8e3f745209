import { act, renderHook, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSseTransport, messageText, useChat, type ChatError, type UseChatOptions, type UseChatResult } from 'colloquy';
import { createChatHandlers, createSseStream, SSE_DONE, SSE_HEADERS, sseData, tokenize } from 'colloquy/mocks';
import { controlledStream } from '../helpers/transport-harness.js';
import { createConnectionTracker, type ConnectionTracker } from '../helpers/connection-tracker.js';
import { expectTurnMatches, recordingTransport } from './fault-assertions.js';
import { freezeClock, setupFaultServer, T0 } from './fault-server.js';
import { rowsOf, type FaultOf, type FaultRow } from './fault-table.js';
import { settle, watchUnhandledRejections } from './unhandled-rejections.js';

const FILE = 'client-ui.test.tsx';
const STREAM_URL = 'http://localhost/api/chat/stream';
const QUESTION = 'First question';
const NEXT = 'The text I typed next';
const REPLY = 'Nothing the user typed is ever thrown away.';
const TOKENS = tokenize(REPLY);
const CUT = 3;
const BEFORE_CUT = TOKENS.slice(0, CUT).join('');

const server = setupFaultServer();
freezeClock();
const rejections = watchUnhandledRejections();
afterEach(() => {
  vi.restoreAllMocks();
});

/** A chat bound with `useChat`, its requests tracked, its reported errors collected. */
function renderChat(options: UseChatOptions = {}) {
  const tracker = createConnectionTracker();
  const transport = recordingTransport(createSseTransport({ url: STREAM_URL, fetch: tracker.fetch }));
  const reported: ChatError[] = [];
  const view = renderHook(() => useChat({ transport, onError: (error) => reported.push(error), ...options }));
  return { ...view, tracker, transport, reported };
}

const texts = (chat: UseChatResult) => chat.messages.map((message) => [message.role, messageText(message), message.status]);

/**
 * The refusal contract of a send the chat cannot take now: a typed refusal matching `row`, the text still in the
 * composer, nothing sent, the earlier turn untouched.
 */
function expectRefused(row: FaultRow, chat: UseChatResult, tracker: ConnectionTracker, requests: number): void {
  const refusal = chat.refusal;
  expect(refusal && { code: refusal.code, retryable: refusal.retryable, retryAfterMs: refusal.retryAfterMs }).toEqual({
    code: row.code,
    retryable: row.retryable,
    retryAfterMs: row.retryAfterMs,
  });
  expect(chat.input).toBe(NEXT);
  expect(tracker.connections).toHaveLength(requests);
  expect(texts(chat)).toEqual(
    row.kept === 'all'
      ? [['user', QUESTION, 'complete'], ['assistant', REPLY, 'complete']]
      : [['user', QUESTION, 'error']],
  );
}

/** Types `NEXT` into the composer's state and submits it. */
function submitNext(result: { current: UseChatResult }): void {
  act(() => result.current.setInput(NEXT));
  act(() => {
    result.current.submit();
  });
}

/** Submits the kept text once the wait is over: it is accepted and sent, then stopped. */
function expectSendableLater(result: { current: UseChatResult }, tracker: ConnectionTracker, atMs: number): void {
  vi.setSystemTime(atMs);
  act(() => {
    expect(result.current.submit().ok).toBe(true);
  });
  expect(result.current.input).toBe('');
  expect((tracker.last().body as { messages: Array<{ parts: unknown }> }).messages.at(-1)?.parts).toEqual([{ type: 'text', text: NEXT }]);
  act(() => result.current.stop());
}

const plays: Record<FaultOf<typeof FILE, 'refused sends and unmount'>, (row: FaultRow) => Promise<ConnectionTracker>> = {
  async 'unmount mid-stream'(row) {
    const errors = vi.spyOn(console, 'error');
    server.use(
      http.post(STREAM_URL, ({ request }) => {
        const steps = [...TOKENS.slice(0, CUT).map((content) => ({ afterMs: 0, frame: sseData({ content }) })), { afterMs: 3_600_000, frame: SSE_DONE }];
        return new HttpResponse(createSseStream(steps, request), { headers: SSE_HEADERS });
      }),
    );
    const { result, unmount, tracker, transport, reported } = renderChat();
    act(() => {
      result.current.submit(QUESTION);
    });
    await waitFor(() => expect(messageText(result.current.messages[1] ?? { parts: [] })).toBe(BEFORE_CUT));
    const store = result.current.store;
    unmount();
    // The request is aborted at once, and the store keeps the words and the partial answer (marked cancelled).
    expect(tracker.connections[0]?.end).toBe('aborted');
    await settle(() => transport.thrown.length > 0);
    expectTurnMatches(row, { store, transport, reported, question: QUESTION, answer: { beforeFault: BEFORE_CUT, all: REPLY } });
    expect(errors).not.toHaveBeenCalled();
    return tracker;
  },

  async 'double send'(row) {
    const body = controlledStream();
    server.use(http.post(STREAM_URL, () => new HttpResponse(body.stream, { headers: SSE_HEADERS })));
    const { result, tracker } = renderChat();
    act(() => {
      result.current.submit(QUESTION);
    });
    TOKENS.slice(0, CUT).forEach((content) => body.push(sseData({ content })));
    await waitFor(() => expect(result.current.status).toBe('streaming'));
    submitNext(result);
    expect(result.current.refusal?.code).toBe('conflict');
    // The first answer goes on untouched, then the kept text can be sent.
    TOKENS.slice(CUT).forEach((content) => body.push(sseData({ content })));
    body.push(SSE_DONE);
    await waitFor(() => expect(result.current.status).toBe('idle'));
    expectRefused(row, result.current, tracker, 1);
    server.use(...Object.values(createChatHandlers({ latencyMs: 'infinite' })));
    expectSendableLater(result, tracker, T0);
    return tracker;
  },

  async 'send while rate-limited by a 429'(row) {
    server.use(...Object.values(createChatHandlers({ fault: 'rate_limited', retryAfterSeconds: 30 })));
    const { result, tracker } = renderChat();
    act(() => {
      result.current.submit(QUESTION);
    });
    await waitFor(() => expect(result.current.error?.code).toBe('rate_limited'));
    submitNext(result);
    expectRefused(row, result.current, tracker, 1);
    server.use(...Object.values(createChatHandlers({ latencyMs: 'infinite' })));
    expectSendableLater(result, tracker, T0 + 30_000);
    return tracker;
  },

  async 'send past the client rate limit'(row) {
    server.use(...Object.values(createChatHandlers({ reply: REPLY, tokensPerSecond: Infinity })));
    const { result, tracker } = renderChat({ rateLimit: { maxRequests: 1, intervalMs: 60_000 } });
    act(() => {
      result.current.submit(QUESTION);
    });
    await waitFor(() => expect(result.current.status).toBe('idle'));
    submitNext(result);
    expectRefused(row, result.current, tracker, 1);
    server.use(...Object.values(createChatHandlers({ latencyMs: 'infinite' })));
    expectSendableLater(result, tracker, T0 + 60_000);
    return tracker;
  },
};

describe('refused sends and unmount', () => {
  it.each(rowsOf(FILE, 'refused sends and unmount'))('%s', async (_fault, row) => {
    const tracker = await plays[row.fault](row);
    await settle(() => tracker.open().length === 0);
    expect(tracker.open()).toEqual([]);
    await settle(undefined, 3);
    expect(rejections.reasons).toEqual([]);
  });
});
