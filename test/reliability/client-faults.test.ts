import { http, HttpResponse, type HttpHandler } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { createChatStore, createJsonTransport, createSseTransport, messageText, type ChatError, type ChatStoreOptions, type ChatTransport } from 'colloquy/core';
import { createChatHandlers, createSseStream, SSE_DONE, SSE_HEADERS, sseData, sseEvent, tokenize, type ChatHandlerOptions } from 'colloquy/mocks';
import { createConnectionTracker, type ConnectionEnd, type ConnectionTracker } from '../helpers/connection-tracker.js';
import { expectRetryResends, expectTurnMatches, recordingTransport, type TurnOutcome } from './fault-assertions.js';
import { rowsOf, type FaultOf } from './fault-table.js';
import { refusedOrigin, systemErrorCode } from './loopback.js';
import { freezeClock, runTimersOnFakeClock, setupFaultServer, T0 } from './fault-server.js';
import { settle, watchUnhandledRejections } from './unhandled-rejections.js';

const FILE = 'client-faults.test.ts';
const ORIGIN = 'http://localhost';
const QUESTION = 'Will my words survive the fault?';
const REPLY = 'Every token that arrived stays on the page after a fault.';
const TOKENS = tokenize(REPLY);
/** The mocks' stream faults strike after this many deltas. */
const CUT = 3;
const BEFORE_CUT = TOKENS.slice(0, CUT).join('');

const server = setupFaultServer();
freezeClock();
const rejections = watchUnhandledRejections();

type TransportKind = 'sse' | 'json';

/** How one row is played: where the request goes, and what the test does while the turn runs. */
interface Scenario {
  /** MSW handlers for the failing turn (every endpoint of the kind under test). */
  handlers?: () => HttpHandler[];
  /** The origin requests go to. @defaultValue {@link ORIGIN} */
  origin?: () => Promise<string>;
  /** Store and transport options for the row. */
  options?: { idleTimeoutMs?: number; timeoutMs?: number };
  /** Runs the timers too (`setTimeout`), for timeouts: `drive` then advances the clock. */
  fakeTimers?: boolean;
  /** Plays the turn out once it is sent (advance the clock, stop); by default waits for it to end. */
  drive?: (turn: Turn) => Promise<void>;
  /** How the failing request's connection was released. */
  released: ConnectionEnd;
  /** The answer text that arrived before the fault. @defaultValue the first `CUT` deltas of {@link REPLY} */
  beforeFault?: string;
  /** Extra checks of the error. */
  check?: (error: ChatError) => void;
}

interface Turn {
  outcome: TurnOutcome;
  tracker: ConnectionTracker;
  done: Promise<unknown>;
  kind: TransportKind;
}

/** Both endpoints answer with `respond` (a protocol error status, a proxy page…). */
function bothEndpoints(respond: () => Response): HttpHandler[] {
  return [http.post(`${ORIGIN}/api/chat`, respond), http.post(`${ORIGIN}/api/chat/stream`, respond)];
}

function mock(options: ChatHandlerOptions): HttpHandler[] {
  return Object.values(createChatHandlers({ reply: REPLY, tokensPerSecond: Infinity, faultAfterTokens: CUT, ...options }));
}

/** A stream endpoint that plays these frames (with `afterMs` pauses), aborting with the request. */
function streamOf(steps: Parameters<typeof createSseStream>[0]): HttpHandler[] {
  return [http.post(`${ORIGIN}/api/chat/stream`, ({ request }) => new HttpResponse(createSseStream(steps, request), { headers: SSE_HEADERS }))];
}

const beforeCutFrames = TOKENS.slice(0, CUT).map((content) => ({ afterMs: 0, frame: sseData({ content }) }));
const encoder = new TextEncoder();

/** A stream endpoint that writes the first deltas, then `chunks` as separate reads, then breaks the connection as undici does. */
function cutAfter(...chunks: Uint8Array[]): HttpHandler[] {
  return [
    http.post(`${ORIGIN}/api/chat/stream`, () => {
      const queue = [...beforeCutFrames.map((step) => encoder.encode(step.frame)), ...chunks];
      // No read-ahead: erroring a stream discards what is still queued, and every read here must reach the client.
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            const chunk = queue.shift();
            if (chunk) controller.enqueue(chunk);
            else controller.error(new TypeError('terminated'));
          },
        },
        { highWaterMark: 0 },
      );
      return new HttpResponse(body, { headers: SSE_HEADERS });
    }),
  ];
}

/**
 * Two deltas holding "é" (0xC3 0xA9), as two reads: the first read ends inside the first "é", which the second read
 * completes; the second read ends inside the second delta's "è", whose last byte never comes.
 */
function splitInsideCharacters(): Uint8Array[] {
  const bytes = encoder.encode(sseData({ content: ' caf\u00e9' }) + sseData({ content: ' cr\u00e8me' }));
  const first = bytes.indexOf(0xc3);
  const second = bytes.indexOf(0xc3, first + 1);
  return [bytes.slice(0, first + 1), bytes.slice(first + 1, second + 1)];
}

/** Advances the fake clock in steps, letting promise callbacks (MSW, the transport, the store) run between timers. */
const advance = (ms: number): Promise<unknown> => vi.advanceTimersByTimeAsync(ms);
const busy = (turn: Turn): boolean => ['submitting', 'streaming'].includes(turn.outcome.store.getState().status);

/** The text of the answer on screen, if any. */
function answerText(turn: Turn): string | undefined {
  const answer = turn.outcome.store.getState().messages[1];
  return answer === undefined ? undefined : messageText(answer);
}

/** Stops the turn once its first `CUT` deltas are on screen. */
async function stopAfterCut(turn: Turn): Promise<void> {
  await settle(() => answerText(turn) === BEFORE_CUT);
  expect(answerText(turn)).toBe(BEFORE_CUT);
  turn.outcome.store.stop();
}

const before: Record<FaultOf<typeof FILE, 'before the answer'>, Scenario> = {
  'connection refused': {
    origin: refusedOrigin,
    released: 'failed',
    // The kernel refused it: not a mock's imitation of a failure.
    check: (error) => expect(systemErrorCode(error)).toBe('ECONNREFUSED'),
  },
  'no response (DNS failure, reset)': { handlers: () => mock({ fault: 'network' }), released: 'failed' },
  '401 Unauthorized': { handlers: () => mock({ fault: 'unauthorized' }), released: 'read' },
  '403 Forbidden': { handlers: () => mock({ fault: 'forbidden' }), released: 'read' },
  '404 Not Found': { handlers: () => mock({ fault: 'not_found' }), released: 'read' },
  '413 Payload Too Large': { handlers: () => mock({ fault: 'message_too_long' }), released: 'read' },
  '429 with Retry-After in seconds': { handlers: () => mock({ fault: 'rate_limited', retryAfterSeconds: 30 }), released: 'read' },
  '429 with Retry-After as an HTTP date': {
    handlers: () =>
      bothEndpoints(() =>
        HttpResponse.json(
          { error: { code: 'rate_limited', message: 'Slow down.' } },
          { status: 429, headers: { 'Retry-After': new Date(T0 + 42_000).toUTCString() } },
        ),
      ),
    released: 'read',
  },
  '500 Internal Server Error': { handlers: () => mock({ fault: 'server_error' }), released: 'read' },
  '502 Bad Gateway from a proxy': {
    // What nginx answers when the app behind it is down: HTML, no protocol body, so the status decides.
    handlers: () =>
      bothEndpoints(() => new HttpResponse('<html><body><h1>502 Bad Gateway</h1></body></html>', { status: 502, headers: { 'Content-Type': 'text/html' } })),
    released: 'read',
  },
  '503 Service Unavailable': { handlers: () => mock({ fault: 'upstream_unavailable' }), released: 'read' },
  '504 Gateway Timeout': { handlers: () => mock({ fault: 'timeout' }), released: 'read' },
  '200 with a login page': { handlers: () => mock({ fault: 'bad_response' }), released: 'cancelled' },
  'slow first byte past the timeout': {
    // The SSE transport's idle timeout (45 s by default) bounds the wait for headers; JSON relies on the store's timeoutMs.
    handlers: () => mock({ latencyMs: 60_000 }),
    options: { timeoutMs: 30_000 },
    fakeTimers: true,
    async drive(turn) {
      const limit = turn.kind === 'sse' ? 45_000 : 30_000;
      await advance(limit - 1);
      expect(busy(turn)).toBe(true);
      await advance(1);
      await turn.done;
    },
    released: 'aborted',
  },
  'stop while connecting': {
    handlers: () => mock({ latencyMs: 'infinite' }),
    async drive(turn) {
      expect(turn.tracker.connections).toHaveLength(1);
      turn.outcome.store.stop();
      await turn.done;
    },
    released: 'aborted',
  },
};

const during: Record<FaultOf<typeof FILE, 'during the stream'>, Scenario> = {
  'stream cut between tokens': { handlers: () => mock({ fault: 'stream_cut' }), released: 'errored' },
  'stream cut mid-token': { handlers: () => cutAfter(encoder.encode('data: {"content":" after the')), released: 'errored' },
  'stream cut mid multi-byte character': {
    // "é" is 0xC3 0xA9. The first delta's "é" is split across two reads and must arrive whole; the second delta
    // is cut between its two bytes, so it never completes and nothing of it is shown.
    handlers: () => cutAfter(...splitInsideCharacters()),
    beforeFault: `${BEFORE_CUT} caf\u00e9`,
    released: 'errored',
  },
  'stream ends without [DONE]': { handlers: () => mock({ fault: 'stream_truncated' }), released: 'read' },
  'malformed JSON chunk': { handlers: () => mock({ fault: 'malformed_chunk' }), released: 'cancelled' },
  'event: error mid-stream': { handlers: () => mock({ fault: 'error_event' }), released: 'cancelled' },
  'event: error rate_limited with retryAfterMs': {
    handlers: () =>
      streamOf([
        ...beforeCutFrames,
        { afterMs: 0, frame: sseEvent('error', { code: 'rate_limited', message: 'Quota reached.', retryAfterMs: 1_500 }) },
        { afterMs: 0, frame: SSE_DONE },
      ]),
    released: 'cancelled',
  },
  'stall mid-stream past idleTimeoutMs': {
    handlers: () => streamOf([...beforeCutFrames, { afterMs: 3_600_000, frame: SSE_DONE }]),
    options: { idleTimeoutMs: 10_000 },
    fakeTimers: true,
    async drive(turn) {
      // MSW answers on a timer of its own; the deltas then arrive at once.
      await advance(1);
      expect(busy(turn)).toBe(true);
      await advance(9_000);
      expect(busy(turn)).toBe(true);
      await advance(1_001);
      await turn.done;
    },
    released: 'aborted',
  },
  'stop mid-stream': {
    handlers: () => streamOf([...beforeCutFrames, { afterMs: 3_600_000, frame: SSE_DONE }]),
    async drive(turn) {
      await stopAfterCut(turn);
      await turn.done;
    },
    released: 'aborted',
  },
};

function transportFor(kind: TransportKind, origin: string, tracker: ConnectionTracker, scenario: Scenario): ChatTransport {
  if (kind === 'json') return createJsonTransport({ url: `${origin}/api/chat`, fetch: tracker.fetch });
  const idle = scenario.options?.idleTimeoutMs;
  return createSseTransport({ url: `${origin}/api/chat/stream`, fetch: tracker.fetch, ...(idle === undefined ? {} : { idleTimeoutMs: idle }) });
}

/** Sends the question through `kind`'s transport while `scenario` plays, and returns what the fault left behind. */
async function play(kind: TransportKind, scenario: Scenario): Promise<{ outcome: TurnOutcome; tracker: ConnectionTracker }> {
  if (scenario.fakeTimers) runTimersOnFakeClock();
  const handlers = scenario.handlers?.() ?? [];
  if (handlers.length > 0) server.use(...handlers);
  const origin = (await scenario.origin?.()) ?? ORIGIN;
  const tracker = createConnectionTracker();
  const transport = recordingTransport(transportFor(kind, origin, tracker, scenario));
  const reported: ChatError[] = [];
  const options: ChatStoreOptions = { transport, onError: (error) => reported.push(error) };
  // Only a transport without its own clock needs the store's.
  if (kind === 'json' && scenario.options?.timeoutMs !== undefined) options.timeoutMs = scenario.options.timeoutMs;
  const store = createChatStore(options);
  const sent = store.send(QUESTION);
  if (!sent.ok) throw sent.error;
  const outcome: TurnOutcome = { store, transport, reported, question: QUESTION, answer: { beforeFault: scenario.beforeFault ?? BEFORE_CUT, all: REPLY } };
  const turn: Turn = { outcome, tracker, done: sent.done, kind };
  await (scenario.drive ? scenario.drive(turn) : sent.done);
  return { outcome, tracker };
}

/** The row's whole contract: typed error, what is kept, retry resends the same message, nothing open, nothing unhandled. */
async function expectRow(row: Parameters<typeof expectTurnMatches>[0], scenario: Scenario, kind: TransportKind): Promise<void> {
  const { outcome, tracker } = await play(kind, scenario);
  const error = expectTurnMatches(row, outcome);
  scenario.check?.(error);
  expect(tracker.connections[0]?.end).toBe(scenario.released);
  await expectRetryResends(row, outcome, tracker);
  await settle(() => tracker.open().length === 0);
  expect(tracker.open()).toEqual([]);
  outcome.store.dispose();
  await settle(undefined, 3);
  expect(rejections.reasons).toEqual([]);
}

describe.each(['sse', 'json'] as const)('before the answer (%s transport)', (kind) => {
  it.each(rowsOf(FILE, 'before the answer'))('%s', async (_fault, row) => {
    await expectRow(row, before[row.fault], kind);
  });
});

describe('during the stream', () => {
  it.each(rowsOf(FILE, 'during the stream'))('%s', async (_fault, row) => {
    await expectRow(row, during[row.fault], 'sse');
  });
});
