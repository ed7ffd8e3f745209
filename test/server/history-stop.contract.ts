import { describe, expect, it } from 'vitest';
import { createChatStore, createHistoryTransport, messageText, type ChatState } from 'colloquy/core';
import type { StoredMessage } from 'colloquy/server';
import {
  call,
  contentOf,
  errorOf,
  historyHandlers,
  jsonOf,
  sseReader,
  storedMessages,
  storedWhen,
  textOf,
  userMessage,
  type StoreFixture,
} from './history-support.js';
import { abortedAfter, mockOpenAI, type setupOpenAIServer } from './support.js';

type MockServer = ReturnType<typeof setupOpenAIServer>;

export const SSE = 'text/event-stream';
// 40 tokens, one every 40 ms: a test reads k of them and acts well before the next one is forwarded.
export const LONG_REPLY = Array.from({ length: 40 }, (_, index) => `w${index}`).join(' ');
const CHUNK_MS = 40;

/** Every measured abort latency (ms) by scenario, printed once by the test file. */
export const latencies: Record<string, number[]> = {};

/** The measured latencies as lines for the log. */
export function latencyReport(): string {
  const lines = Object.entries(latencies).map(([name, values]) => `${name}: ${values.map((ms) => ms.toFixed(2)).join(', ')} ms`);
  return `abort propagation to the OpenAI request's signal (in-process)\n  ${lines.join('\n  ')}`;
}

/** Runs `act` and resolves with the time from its start until `signal` aborts (fails after a second). */
export async function timeAbort(name: string, signal: AbortSignal, act: () => unknown): Promise<number> {
  let startedAt = 0;
  const latency = abortedAfter(signal, () => startedAt);
  startedAt = performance.now();
  const acting = Promise.resolve(act());
  const ms = await Promise.race([latency, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('upstream never aborted')), 1000))]);
  await acting;
  (latencies[name] ??= []).push(ms);
  return ms;
}

/** Starts a streamed send of `u1` in `c1` and reads the ids frame and `k` content frames. */
export async function streamUntil(server: MockServer, handlers: ReturnType<typeof historyHandlers>, k: number) {
  let upstream: Request | undefined;
  mockOpenAI(server, { reply: LONG_REPLY, chunkIntervalMs: CHUNK_MS, onRequest: (request) => (upstream = request) });
  const connection = new AbortController();
  const response = await call(handlers, 'POST', '/c1/messages', { body: userMessage('u1', 'Count'), accept: SSE, signal: connection.signal });
  const reader = sseReader(response);
  const { messageId } = JSON.parse((await reader.next())!.data) as { messageId: string };
  const seen = [];
  for (let i = 0; i < k; i++) seen.push((await reader.next())!);
  return { connection, reader, messageId, text: contentOf(seen), upstream: upstream! };
}

const answerOf = (messages: StoredMessage[]): StoredMessage | undefined => messages.find((message) => message.role === 'assistant');

/** Stop, disconnect and what is stored (A2), and the kit's client driving the handlers, on one store backend. */
export function describeHistoryStop(fixture: StoreFixture, server: MockServer): void {
  async function app() {
    const handlers = historyHandlers(fixture.store);
    await jsonOf(call(handlers, 'POST', '', { body: { id: 'c1' } }), 201);
    return handlers;
  }

  describe('A2: what is stored is what the user saw', () => {
    it('the answer row appears with the first forwarded delta, status streaming, holding the forwarded text', async () => {
      const handlers = await app();
      const live = await streamUntil(server, handlers, 0);
      expect((await storedMessages(handlers, 'c1')).map((m) => m.id)).toEqual(['u1']);
      const first = await live.reader.next();
      expect(first).toEqual({ data: JSON.stringify({ content: 'w0' }) });
      const answer = answerOf(await storedWhen(handlers, 'c1', (messages) => answerOf(messages) !== undefined));
      expect(answer).toMatchObject({ id: live.messageId, parentId: 'u1', status: 'streaming' });
      expect(textOf(answer)).toBe('w0');
      expect(answer?.usage).toBeUndefined();
      live.connection.abort();
      await storedWhen(handlers, 'c1', (messages) => answerOf(messages)?.status === 'error');
    });

    it('Stop at delta k (abort, then the stop call): the k deltas, cancelled; the upstream aborts within 50 ms', async () => {
      const handlers = await app();
      const live = await streamUntil(server, handlers, 3);
      expect(live.text).toBe('w0 w1 w2');
      const latency = await timeAbort(`${fixture.kind}: client abort + stop call`, live.upstream.signal, () => live.connection.abort());
      expect(latency).toBeLessThan(50);
      expect((await call(handlers, 'POST', `/c1/messages/${live.messageId}/stop`)).status).toBe(204);
      // The stop answers once the answer's last write is done: a reload right away shows the final state.
      const answer = answerOf(await storedMessages(handlers, 'c1'));
      expect(answer).toMatchObject({ id: live.messageId, status: 'cancelled' });
      expect(textOf(answer)).toBe(live.text);

      // Retrying the stopped message regenerates the cancelled answer in place.
      mockOpenAI(server, { reply: 'Full answer.' });
      await jsonOf(call(handlers, 'POST', '/c1/messages', { body: userMessage('u1', 'Count'), accept: 'application/json' }));
      const retried = await storedMessages(handlers, 'c1');
      expect(retried.map((m) => [m.id, m.status, textOf(m)])).toEqual([
        ['u1', 'complete', 'Count'],
        [live.messageId, 'complete', 'Full answer.'],
      ]);
    });

    it('the stop call first, the disconnect after: the stop alone aborts the upstream at once; still cancelled', async () => {
      const handlers = await app();
      const live = await streamUntil(server, handlers, 2);
      const latency = await timeAbort(`${fixture.kind}: stop call alone`, live.upstream.signal, () =>
        call(handlers, 'POST', `/c1/messages/${live.messageId}/stop`).then((response) => expect(response.status).toBe(204)),
      );
      expect(latency).toBeLessThan(50);
      live.connection.abort();
      const answer = answerOf(await storedWhen(handlers, 'c1', (messages) => answerOf(messages)?.status !== 'streaming'));
      expect(answer).toMatchObject({ status: 'cancelled' });
      expect(textOf(answer)).toBe(live.text);
    });

    it('the connection drops at delta k, no stop: the k deltas, status error; the upstream aborts within 50 ms', async () => {
      const handlers = await app();
      const live = await streamUntil(server, handlers, 4);
      const latency = await timeAbort(`${fixture.kind}: connection dropped`, live.upstream.signal, () => live.connection.abort());
      expect(latency).toBeLessThan(50);
      const answer = answerOf(await storedWhen(handlers, 'c1', (messages) => answerOf(messages)?.status === 'error'));
      expect(answer).toMatchObject({ id: live.messageId, status: 'error' });
      expect(textOf(answer)).toBe(live.text);
      expect(live.text).toBe('w0 w1 w2 w3');
    });

    it('the runtime cancels the body at delta k (it saw the client go): the same, status error', async () => {
      const handlers = await app();
      const live = await streamUntil(server, handlers, 2);
      const latency = await timeAbort(`${fixture.kind}: body cancelled`, live.upstream.signal, () => live.reader.cancel());
      expect(latency).toBeLessThan(50);
      const answer = answerOf(await storedWhen(handlers, 'c1', (messages) => answerOf(messages)?.status === 'error'));
      expect(textOf(answer)).toBe(live.text);
    });

    it('a stop after the disconnect was noticed and stored still ends the answer cancelled', async () => {
      const handlers = await app();
      const live = await streamUntil(server, handlers, 1);
      live.connection.abort();
      await storedWhen(handlers, 'c1', (messages) => answerOf(messages)?.status === 'error');
      expect((await call(handlers, 'POST', `/c1/messages/${live.messageId}/stop`)).status).toBe(204);
      const answer = answerOf(await storedMessages(handlers, 'c1'));
      expect(answer).toMatchObject({ status: 'cancelled' });
      expect(textOf(answer)).toBe('w0');
    });

    it('a stop for a complete answer, a user message or an unknown id changes nothing (204); another conversation is 404', async () => {
      mockOpenAI(server, { reply: 'Done.' });
      const handlers = await app();
      await jsonOf(call(handlers, 'POST', '/c1/messages', { body: userMessage('u1', 'Hi'), accept: 'application/json' }));
      const before = await storedMessages(handlers, 'c1');
      for (const id of [before[1]!.id, 'u1', 'not-yet']) expect((await call(handlers, 'POST', `/c1/messages/${id}/stop`)).status).toBe(204);
      expect(await storedMessages(handlers, 'c1')).toEqual(before);
      expect(await errorOf(call(handlers, 'POST', `/c2/messages/${before[1]!.id}/stop`), 404)).toBe('not_found');
      expect(await errorOf(call(handlers, 'POST', `/c1/messages/${'x'.repeat(300)}/stop`), 400)).toBe('invalid_input');
    });
  });

  describe("the kit's client against these handlers", () => {
    it('createHistoryTransport + createChatStore: create, send (SSE and JSON), stop mid-answer, reload, rename, delete', async () => {
      const handlers = historyHandlers(fixture.store);
      const fetchVia = (async (url: string | URL | Request, init?: RequestInit) =>
        handlers.handle(new Request(new URL(String(url), 'http://localhost'), { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), 'X-User': 'alice' } }))) as typeof fetch;
      const history = createHistoryTransport({ baseUrl: '/api', fetch: fetchVia });
      const conversation = await history.createConversation({ title: 'Counting' });

      mockOpenAI(server, { reply: 'One two three.' });
      const chat = createChatStore({ transport: history, conversationId: conversation.id });
      const settled = (predicate: (state: ChatState) => boolean) =>
        new Promise<ChatState>((resolve) => {
          if (predicate(chat.getState())) return resolve(chat.getState());
          const unsubscribe = chat.subscribe(() => {
            if (!predicate(chat.getState())) return;
            unsubscribe();
            resolve(chat.getState());
          });
        });
      expect(chat.send('First question').ok).toBe(true);
      const done = await settled((state) => state.status === 'idle' && state.messages.length === 2);
      const [question, answer] = done.messages;
      expect(answer).toMatchObject({ role: 'assistant', status: 'complete', finishReason: 'stop' });
      expect(messageText(answer!)).toBe('One two three.');

      let upstream: Request | undefined;
      mockOpenAI(server, { reply: LONG_REPLY, chunkIntervalMs: CHUNK_MS, onRequest: (request) => (upstream = request) });
      expect(chat.send('Count slowly').ok).toBe(true);
      const streaming = await settled((state) => state.status === 'streaming' && messageText(state.messages.at(-1)!).split(' ').length >= 3);
      const shown = messageText(streaming.messages.at(-1)!);
      const latency = await timeAbort(`${fixture.kind}: kit client Stop`, upstream!.signal, () => chat.stop());
      expect(latency).toBeLessThan(50);
      const stopped = chat.getState();
      expect(stopped.messages.at(-1)).toMatchObject({ status: 'cancelled' });

      // The client's ids are the server's: the answer id came in the first frame.
      const page = await storedWhen(handlers, conversation.id, (messages) => messages[3]?.status === 'cancelled');
      expect(page.map((m) => m.id)).toEqual(stopped.messages.map((m) => m.id));
      expect(page.map((m) => m.status)).toEqual(['complete', 'complete', 'complete', 'cancelled']);
      expect(textOf(page[3])).toBe(shown);
      expect(page[2]!.parentId).toBe(answer!.id);
      const reloaded = await history.listMessages(conversation.id);
      expect(reloaded.messages.map((m) => [m.id, m.status, messageText(m)])).toEqual(page.map((m) => [m.id, m.status, textOf(m)]));
      expect(question!.id).toBe(page[0]!.id);

      mockOpenAI(server, { reply: 'As JSON.' });
      const json = createChatStore({ transport: createHistoryTransport({ baseUrl: '/api', fetch: fetchVia, accept: 'json' }), conversationId: conversation.id, initialMessages: stopped.messages });
      json.send('And as JSON?');
      await new Promise<void>((resolve) => json.subscribe(() => json.getState().status === 'idle' && resolve()));
      expect(json.getState().messages.at(-1)).toMatchObject({ status: 'complete', parts: [expect.objectContaining({ text: 'As JSON.' })] });
      expect((await history.listMessages(conversation.id)).messages).toHaveLength(6);

      await history.renameConversation(conversation.id, 'Renamed');
      expect((await history.listConversations()).conversations).toEqual([expect.objectContaining({ id: conversation.id, title: 'Renamed' })]);
      await history.deleteConversation(conversation.id);
      await expect(history.getConversation(conversation.id)).rejects.toMatchObject({ code: 'not_found' });
    });
  });
}
