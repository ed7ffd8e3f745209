import { afterAll, beforeAll, expect, it } from 'vitest';
import { setupServer } from 'msw/node';
import { createChatStore, createConversationStore, createHistoryTransport, createSseTransport } from 'colloquy/core';
import { createHistoryDb, createHistoryHandlers } from 'colloquy/mocks';
import { sseResponse } from './fixtures/chunked-body.js';
import { retainedHeap, until } from './fixtures/heap.js';
import { record } from './support/results.js';

const SECTION = '6. Memory';
const CYCLES = 1_000;
const SWITCHES = 100;
const WARM_UP_CYCLES = 50;
const MiB = 1024 * 1024;

const BASE_URL = 'http://localhost';
const server = setupServer(...Object.values(createHistoryHandlers({ baseUrl: BASE_URL, db: createHistoryDb() })));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

/** An answer that sends one token, then stays open until the client stops it (a stop mid-stream, every time). */
function endlessAnswer(): Response {
  const token = new TextEncoder().encode('data: {"content":"Hello"}\n\n');
  return sseResponse(
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(token);
      },
    }),
  );
}

function growth(before: number, after: number): { ratio: number; note: string } {
  const ratio = (after - before) / before;
  return { ratio, note: `${(before / MiB).toFixed(1)} → ${(after / MiB).toFixed(1)} MiB retained` };
}

it('1,000 send/stop cycles on one chat store retain no more than 10% extra heap', async () => {
  const store = createChatStore({ transport: createSseTransport({ url: `${BASE_URL}/api/chat/stream`, fetch: async () => endlessAnswer() }) });
  const cycle = async () => {
    const sent = store.send('Hi');
    if (!sent.ok) throw sent.error;
    await until(store, (state) => state.status === 'streaming');
    store.stop();
    const answer = await sent.done;
    expect(answer?.status).toBe('cancelled');
  };
  // Warm-up: compiled code, caches and pools reach their steady size; the conversation is emptied after each run.
  for (let i = 0; i < WARM_UP_CYCLES; i++) await cycle();
  store.reset();
  const before = retainedHeap();
  for (let i = 0; i < CYCLES; i++) await cycle();
  expect(store.getState().messages).toHaveLength(2 * CYCLES);
  store.reset();
  const after = retainedHeap();
  const { ratio, note } = growth(before, after);
  record({
    section: SECTION,
    name: `retained heap growth after ${CYCLES.toLocaleString('en-US')} send/stop cycles (createChatStore + createSseTransport)`,
    value: ratio * 100,
    unit: '%',
    target: '<= 10%',
    ok: ratio <= 0.1,
    note: `${note}; ${(((after - before) / CYCLES) | 0).toLocaleString('en-US')} B per cycle; the 2,000 messages reset before measuring`,
  });
});

it('100 conversation switches retain no more than 10% extra heap', async () => {
  const conversations = createConversationStore({ transport: createHistoryTransport({ baseUrl: `${BASE_URL}/api` }) });
  await conversations.loadConversations();
  const ids = conversations.getState().list.conversations.map((conversation) => conversation.id);
  expect(ids.length).toBeGreaterThan(2);
  // As the UI does: the open conversation's chat store has a subscriber, dropped on the next switch.
  let unsubscribe = (): void => undefined;
  const open = async (id: string) => {
    unsubscribe();
    conversations.select(id);
    await until(conversations, (state) => state.histories[id]?.status === 'ready');
    unsubscribe = conversations.getChatStore(id).subscribe(() => undefined);
  };
  // One round first: each conversation loads its newest messages once and keeps its chat store.
  for (const id of ids) await open(id);
  const before = retainedHeap();
  for (let i = 0; i < SWITCHES; i++) await open(ids[i % ids.length]!);
  const after = retainedHeap();
  unsubscribe();
  conversations.dispose();
  const { ratio, note } = growth(before, after);
  record({
    section: SECTION,
    name: `retained heap growth after ${SWITCHES} conversation switches (createConversationStore + history mocks)`,
    value: ratio * 100,
    unit: '%',
    target: '<= 10%',
    ok: ratio <= 0.1,
    note: `${note}; ${ids.length} conversations, switched in turn; ${(((after - before) / SWITCHES) | 0).toLocaleString('en-US')} B per switch`,
  });
});
