import { http } from 'msw';
import OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { createChatStore, createHistoryTransport, messageText, type ChatError, type ChatMessage } from 'colloquy/core';
import { createOpenAIHandlers, tokenize, type OpenAIMockOptions } from 'colloquy/mocks';
import { createHistoryHandlers, createMemoryConversationStore, type ConversationStore, type StoredMessage } from 'colloquy/server';
import { createConnectionTracker } from '../helpers/connection-tracker.js';
import { expectRetryResends, expectTurnMatches, recordingTransport, type TurnOutcome } from './fault-assertions.js';
import { freezeClock, runTimersOnFakeClock, setupFaultServer, T0 } from './fault-server.js';
import { rowsOf, type FaultOf } from './fault-table.js';
import { settle, watchUnhandledRejections } from './unhandled-rejections.js';

const FILE = 'history-faults.test.ts';
const OPENAI_BASE = 'http://openai.test/v1';
const API = 'http://localhost/api';
const OWNER = 'alice';
const CONVERSATION = 'c1';
const QUESTION = 'Will the server remember this?';
const REPLY = 'What you saw is what the server stored.';
const FIRST_CHUNK = tokenize(REPLY)[0]!;

const server = setupFaultServer();
freezeClock();
const rejections = watchUnhandledRejections();

/** A memory store whose first write of a `complete` answer fails, as a database that went away would. */
function failingFinalSave(store: ConversationStore): ConversationStore {
  let failed = false;
  return {
    ...store,
    async upsertAssistantMessage(ownerId, conversationId, message, now) {
      if (message.status === 'complete' && !failed) {
        failed = true;
        throw new Error('connection to the database lost');
      }
      return store.upsertAssistantMessage(ownerId, conversationId, message, now);
    },
  };
}

/** One history row: the store, the emulated OpenAI, and what the server must have stored afterwards. */
interface Scenario {
  store?: (store: ConversationStore) => ConversationStore;
  openai?: OpenAIMockOptions;
  fakeTimers?: boolean;
  drive?: (outcome: TurnOutcome, done: Promise<unknown>) => Promise<void>;
  /** The stored answer's text and status; `null`: no answer row, only the user's message. */
  stored: { text: string; status: StoredMessage['status'] } | null;
  /** A Retry that runs to its end then replaces the failed answer in place (same row, now complete). */
  regenerates?: boolean;
}

const scenarios: Record<FaultOf<typeof FILE, 'what history stores'>, Scenario> = {
  'answer save fails after the stream succeeded': {
    store: failingFinalSave,
    // Every delta reached the client (and the row, as `streaming`); only the final write failed.
    stored: { text: REPLY, status: 'error' },
    regenerates: true,
  },
  'upstream fails before the answer (history)': { openai: { status: 500 }, stored: null },
  'upstream cut after the first delta (history)': { openai: { cutAfterChunks: 1 }, stored: { text: FIRST_CHUNK, status: 'error' } },
  'client stops mid-stream (history)': {
    openai: { chunkIntervalMs: 1_000 },
    fakeTimers: true,
    async drive(outcome, done) {
      const answer = (): ChatMessage | undefined => outcome.store.getState().messages[1];
      for (let elapsed = 0; elapsed < 5_000 && messageText(answer() ?? { parts: [] }) !== FIRST_CHUNK; elapsed += 100) {
        await vi.advanceTimersByTimeAsync(100);
      }
      expect(messageText(answer() ?? { parts: [] })).toBe(FIRST_CHUNK);
      outcome.store.stop();
      await done;
    },
    stored: { text: FIRST_CHUNK, status: 'cancelled' },
  },
};

/** The stored messages once `until` holds for them: the server may still be writing after the client's turn ended. */
async function storedWhen(store: ConversationStore, until: (messages: StoredMessage[]) => boolean): Promise<StoredMessage[]> {
  let messages: StoredMessage[] = [];
  for (let round = 0; round < 50; round++) {
    messages = (await store.listMessages(OWNER, CONVERSATION)).messages;
    if (until(messages)) break;
    await settle(undefined, 1);
  }
  return messages;
}

describe('what history stores', () => {
  it.each(rowsOf(FILE, 'what history stores'))('%s', async (_fault, row) => {
    const scenario = scenarios[row.fault];
    if (scenario.fakeTimers) runTimersOnFakeClock();
    const memory = createMemoryConversationStore();
    await memory.createConversation(OWNER, { id: CONVERSATION, now: new Date(T0) });
    const store = scenario.store?.(memory) ?? memory;
    const upstream = createConnectionTracker();
    const openai = new OpenAI({ apiKey: 'sk-test', baseURL: OPENAI_BASE, maxRetries: 0, fetch: upstream.fetch });
    const handlers = createHistoryHandlers({ openai, model: 'gpt-4o-mini', store, authorize: () => OWNER });
    server.use(
      http.all(`${API}/conversations/*`, ({ request }) => handlers.handle(request)),
      createOpenAIHandlers({ baseUrl: OPENAI_BASE, reply: REPLY, ...scenario.openai }).completions,
    );

    const client = createConnectionTracker();
    const transport = recordingTransport(createHistoryTransport({ baseUrl: API, fetch: client.fetch }));
    const reported: ChatError[] = [];
    const chat = createChatStore({ transport, conversationId: CONVERSATION, onError: (error) => reported.push(error) });
    const sent = chat.send(QUESTION);
    if (!sent.ok) throw sent.error;
    const outcome: TurnOutcome = { store: chat, transport, reported, question: QUESTION, answer: { beforeFault: FIRST_CHUNK, all: REPLY } };
    await (scenario.drive ? scenario.drive(outcome, sent.done) : sent.done);
    expectTurnMatches(row, outcome);

    // What the server stores equals what the user saw: the same message ids, the same text, the same ending.
    const [question, answer] = chat.getState().messages as [ChatMessage, ChatMessage | undefined];
    const expected = scenario.stored;
    const stored = await storedWhen(store, (messages) => expected === null || messages[1]?.status === expected.status);
    expect(stored.map((message) => ({ id: message.id, role: message.role, text: messageText(message), status: message.status }))).toEqual([
      { id: question.id, role: 'user', text: QUESTION, status: 'complete' },
      ...(expected === null ? [] : [{ id: answer?.id, role: 'assistant', text: expected.text, status: expected.status }]),
    ]);

    await expectRetryResends(row, outcome, client);
    await settle(() => client.open().length === 0 && upstream.open().length === 0);
    if (scenario.regenerates) {
      const again = chat.retry();
      if (!again.ok) throw again.error;
      await again.done;
      const regenerated = await storedWhen(store, (messages) => messages[1]?.status === 'complete');
      const summary = (message: ChatMessage | StoredMessage) => [message.id, messageText(message), message.status];
      expect(regenerated.map(summary)).toEqual([
        [question.id, QUESTION, 'complete'],
        [answer?.id, REPLY, 'complete'],
      ]);
      // The same row, rewritten in place, and the chat shows exactly it.
      expect(chat.getState().messages.map(summary)).toEqual(regenerated.map(summary));
    }
    expect(client.open()).toEqual([]);
    expect(upstream.open()).toEqual([]);
    chat.dispose();
    await settle(undefined, 3);
    expect(rejections.reasons).toEqual([]);
  });
});
