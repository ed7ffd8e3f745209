import { http, type HttpHandler } from 'msw';
import OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import {
  createChatStore,
  createJsonTransport,
  createSseTransport,
  messageText,
  type ChatError,
  type ChatErrorCode,
} from 'colloquy/core';
import { createOpenAIHandlers, tokenize, type OpenAIMockOptions } from 'colloquy/mocks';
import { createChatHandlers, type ChatHandlersOptions, type ChatLogEvent } from 'colloquy/server';
import { createConnectionTracker, type ConnectionEnd, type ConnectionTracker } from '../helpers/connection-tracker.js';
import { expectRetryResends, expectTurnMatches, recordingTransport, type TurnOutcome } from './fault-assertions.js';
import { rowsOf, type FaultOf, type FaultRow } from './fault-table.js';
import { refusedOrigin } from './loopback.js';
import { freezeClock, runTimersOnFakeClock, setupFaultServer } from './fault-server.js';
import { settle, watchUnhandledRejections } from './unhandled-rejections.js';

const FILE = 'server-faults.test.ts';
const OPENAI_BASE = 'http://openai.test/v1';
const CHAT_URL = 'http://localhost/api/chat';
const STREAM_URL = 'http://localhost/api/chat/stream';
const QUESTION = 'Is the model up today?';
const REPLY = 'The model answers in small chunks of text.';
const FIRST_CHUNK = tokenize(REPLY)[0]!;

const server = setupFaultServer();
freezeClock();
const rejections = watchUnhandledRejections();

type Endpoint = 'stream' | 'chat';

/** One row played through the whole chain: kit client → `createChatHandlers` → the OpenAI emulation. */
interface Scenario {
  /** How the emulated OpenAI fails. */
  openai?: OpenAIMockOptions;
  /** Where the SDK connects instead of the emulation (a refused port). */
  baseURL?: () => Promise<string>;
  handlers?: Partial<ChatHandlersOptions>;
  /** Runs `setTimeout` on the fake clock too; `drive` advances it. */
  fakeTimers?: boolean;
  drive?: (turn: Turn) => Promise<void>;
  /** The one log event the server writes for the request. */
  logged: { status: number; code: ChatErrorCode };
  /** How the server's request to OpenAI was released. */
  upstreamReleased: ConnectionEnd;
}

interface Turn {
  outcome: TurnOutcome;
  done: Promise<unknown>;
  /** The server's requests to OpenAI. */
  upstream: ConnectionTracker;
}

const advance = (ms: number): Promise<unknown> => vi.advanceTimersByTimeAsync(ms);
const answerText = (turn: Turn): string => messageText(turn.outcome.store.getState().messages[1] ?? { parts: [] });

/** Advances the fake clock 100 ms at a time until `until` holds (at most `maxMs`). */
async function advanceUntil(until: () => boolean, maxMs: number): Promise<void> {
  for (let elapsed = 0; elapsed < maxMs && !until(); elapsed += 100) await advance(100);
  expect(until()).toBe(true);
}

/** Stops the turn once the emulation's first chunk is on screen. */
async function stopAfterFirstChunk(turn: Turn): Promise<void> {
  await advanceUntil(() => answerText(turn) === FIRST_CHUNK, 5_000);
  turn.outcome.store.stop();
  await turn.done;
}

const upstreamStatus = (status: number, extra: OpenAIMockOptions = {}): Scenario['openai'] => ({ status, ...extra });

const before: Record<FaultOf<typeof FILE, 'upstream fails before the 200'>, Scenario> = {
  'upstream connection refused': {
    baseURL: async () => `${await refusedOrigin()}/v1`,
    logged: { status: 502, code: 'upstream_unavailable' },
    upstreamReleased: 'failed',
  },
  'upstream 400': { openai: upstreamStatus(400), logged: { status: 400, code: 'invalid_input' }, upstreamReleased: 'read' },
  'upstream 401 (bad API key)': { openai: upstreamStatus(401), logged: { status: 502, code: 'upstream_unavailable' }, upstreamReleased: 'read' },
  'upstream 403': { openai: upstreamStatus(403), logged: { status: 502, code: 'upstream_unavailable' }, upstreamReleased: 'read' },
  'upstream 404 (unknown model)': { openai: upstreamStatus(404), logged: { status: 502, code: 'upstream_unavailable' }, upstreamReleased: 'read' },
  'upstream 429 with retry-after': {
    openai: upstreamStatus(429, { headers: { 'retry-after': '7' } }),
    logged: { status: 429, code: 'rate_limited' },
    upstreamReleased: 'read',
  },
  'upstream 429 insufficient_quota': {
    openai: upstreamStatus(429, { error: { code: 'insufficient_quota', type: 'insufficient_quota', message: 'You exceeded your current quota.' } }),
    logged: { status: 503, code: 'upstream_unavailable' },
    upstreamReleased: 'read',
  },
  'upstream 500': { openai: upstreamStatus(500), logged: { status: 502, code: 'upstream_unavailable' }, upstreamReleased: 'read' },
  'upstream 503': { openai: upstreamStatus(503), logged: { status: 503, code: 'upstream_unavailable' }, upstreamReleased: 'read' },
  'upstream slow first byte past timeoutMs': {
    // Less than the 15 s heartbeat: the stream has not committed its 200 yet, so the timeout is a real 504.
    openai: { firstByteDelayMs: 'infinite' },
    handlers: { timeoutMs: 5_000 },
    fakeTimers: true,
    async drive(turn) {
      await advance(4_999);
      expect(turn.outcome.store.getState().status).toBe('submitting');
      await advance(1);
      await advanceUntil(() => turn.outcome.store.getState().status === 'error', 1_000);
    },
    logged: { status: 504, code: 'timeout' },
    upstreamReleased: 'aborted',
  },
  'client stops while upstream connects': {
    openai: { firstByteDelayMs: 'infinite' },
    async drive(turn) {
      await settle(() => turn.upstream.connections.length === 1);
      turn.outcome.store.stop();
      await turn.done;
    },
    logged: { status: 499, code: 'aborted' },
    upstreamReleased: 'aborted',
  },
};

const during: Record<FaultOf<typeof FILE, 'upstream fails after the 200'>, Scenario> = {
  'upstream cut after the first delta': {
    openai: { cutAfterChunks: 1 },
    logged: { status: 200, code: 'upstream_unavailable' },
    upstreamReleased: 'errored',
  },
  'upstream ends without a finish reason': {
    openai: { endWithoutFinishReason: true },
    logged: { status: 200, code: 'bad_response' },
    upstreamReleased: 'read',
  },
  'upstream silent past timeoutMs after the heartbeat': {
    // Past the 15 s heartbeat the 200 is committed (a heartbeat keeps the client waiting), so the timeout is an event.
    openai: { firstByteDelayMs: 'infinite' },
    handlers: { timeoutMs: 30_000 },
    fakeTimers: true,
    async drive(turn) {
      await advance(29_999);
      expect(turn.outcome.store.getState().status).toBe('submitting');
      await advance(1);
      await advanceUntil(() => turn.outcome.store.getState().status === 'error', 1_000);
    },
    logged: { status: 200, code: 'timeout' },
    upstreamReleased: 'aborted',
  },
  'upstream stalls mid-stream past timeoutMs': {
    // The first chunk comes at 20 s, the second would come at 40 s: the 30 s timeout ends the answer between them.
    openai: { chunkIntervalMs: 20_000 },
    handlers: { timeoutMs: 30_000 },
    fakeTimers: true,
    async drive(turn) {
      await advance(29_999);
      expect(answerText(turn)).toBe(FIRST_CHUNK);
      expect(turn.outcome.store.getState().status).toBe('streaming');
      await advance(1);
      await advanceUntil(() => turn.outcome.store.getState().status === 'error', 1_000);
    },
    logged: { status: 200, code: 'timeout' },
    upstreamReleased: 'aborted',
  },
  'client stops mid-stream': {
    openai: { chunkIntervalMs: 1_000 },
    fakeTimers: true,
    drive: stopAfterFirstChunk,
    // The 200 was already answered: the log says so, with the code of why the answer ended.
    logged: { status: 200, code: 'aborted' },
    upstreamReleased: 'aborted',
  },
};

async function expectRow(row: FaultRow, scenario: Scenario, endpoint: Endpoint): Promise<void> {
  if (scenario.fakeTimers) runTimersOnFakeClock();
  const upstream = createConnectionTracker();
  const client = createConnectionTracker();
  const logs: ChatLogEvent[] = [];
  const record = (event: ChatLogEvent): void => void logs.push(event);
  const baseURL = (await scenario.baseURL?.()) ?? OPENAI_BASE;
  // Created here, not per file: the SDK reads its options (and our tracking fetch) when constructed.
  const openai = new OpenAI({ apiKey: 'sk-test-secret', baseURL, maxRetries: 0, fetch: upstream.fetch });
  const handlers = createChatHandlers({ openai, model: 'gpt-4o-mini', logger: { info: record, warn: record, error: record }, ...scenario.handlers });
  const routes: HttpHandler[] = [
    http.post(CHAT_URL, ({ request }) => handlers.chat(request)),
    http.post(STREAM_URL, ({ request }) => handlers.stream(request)),
    createOpenAIHandlers({ baseUrl: OPENAI_BASE, reply: REPLY, ...scenario.openai }).completions,
  ];
  server.use(...routes);

  const transport = recordingTransport(
    endpoint === 'stream' ? createSseTransport({ url: STREAM_URL, fetch: client.fetch }) : createJsonTransport({ url: CHAT_URL, fetch: client.fetch }),
  );
  const reported: ChatError[] = [];
  const store = createChatStore({ transport, onError: (error) => reported.push(error) });
  const sent = store.send(QUESTION);
  if (!sent.ok) throw sent.error;
  const outcome: TurnOutcome = { store, transport, reported, question: QUESTION, answer: { beforeFault: FIRST_CHUNK, all: REPLY } };
  await (scenario.drive ? scenario.drive({ outcome, done: sent.done, upstream }) : sent.done);

  const error = expectTurnMatches(row, outcome);
  // The message shown is the server's own, never OpenAI's (which names the platform and can echo the API key).
  expect(error.message).not.toMatch(/openai|api key|sk-/i);
  expect(JSON.stringify(store.getState())).not.toContain('sk-test-secret');
  await settle(() => logs.length > 0 && upstream.open().length === 0);
  expect(logs.map((event) => ({ status: event.status, code: event.code }))).toEqual([scenario.logged]);
  expect(upstream.connections.map((connection) => connection.end)).toEqual([scenario.upstreamReleased]);

  await expectRetryResends(row, outcome, client);
  await settle(() => client.open().length === 0 && upstream.open().length === 0);
  expect(client.open()).toEqual([]);
  expect(upstream.open()).toEqual([]);
  store.dispose();
  await settle(undefined, 3);
  expect(rejections.reasons).toEqual([]);
}

describe.each(['stream', 'chat'] as const)('upstream fails before the 200 (%s endpoint)', (endpoint) => {
  it.each(rowsOf(FILE, 'upstream fails before the 200'))('%s', async (_fault, row) => {
    await expectRow(row, before[row.fault], endpoint);
  });
});

describe('upstream fails after the 200', () => {
  it.each(rowsOf(FILE, 'upstream fails after the 200'))('%s', async (_fault, row) => {
    await expectRow(row, during[row.fault], 'stream');
  });
});
