import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getResponse } from 'msw';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIHandlers, LONG_REPLY, replyFor } from 'colloquy/mocks';
import { createChatHandlers, type ChatLogEvent, type ChatRouteHandlers } from 'colloquy/server';
import { serveOnLoopback, type LoopbackServer } from '../helpers/node-loopback.js';
import { OPENAI_BASE, parseSse, streamedText, userTurn } from './support.js';

// 200 concurrent streams through the stream handler over a real loopback socket, in a fixed number of rounds. It
// checks correctness under load (every answer whole, in order, ended by [DONE]), that no upstream request outlives
// its stream, and that memory comes back after the rounds. The figures are printed for the record, never asserted
// as times: the machine is shared.
const STREAMS = 200;
const ROUNDS = 3;
/** Content chunks per answer (the OpenAI emulation groups the reply's tokens into this many deltas). */
const CHUNKS = 10;
/** The answer's text after the reply to the prompt (which makes every answer different). */
const BODY = LONG_REPLY.split('\n\n')[0]!;
/**
 * Heap still held after GC once the streams are over, over the baseline taken after a warm-up. The first 200
 * concurrent connections fill caches that stay (Node's pool of HTTP parsers, undici's, JIT code): about 2-3 MiB.
 */
const RETAINED_HEAP_BOUND_BYTES = 6 * 1024 * 1024;
/**
 * Growth of the retained heap from the first round to the last, when the caches are full: a leak shows here. Holding
 * on to each stream's response (its body, queue and closures) would add several MiB per round of 200.
 */
const GROWTH_BOUND_BYTES = 1.5 * 1024 * 1024;

/** V8's collector, exposed at run time (vitest workers do not start with `--expose-gc`). */
const collectGarbage = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

const MiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** How each upstream (emulated OpenAI) request ended; `open` must be 0 once the streams are over. */
interface UpstreamLedger {
  started: number;
  /** Its body was read to the end. */
  finished: number;
  /** Its body was cancelled or errored: the server stopped it. */
  stopped: number;
  /** Its request signal aborted. */
  aborted: number;
  readonly open: number;
}

/**
 * A real SDK client whose `fetch` answers from the kit's OpenAI emulation through MSW's `getResponse`, so no global
 * interception sits between the test's HTTP client and the loopback server, and every upstream request is counted.
 */
function emulatedOpenAI(options: Parameters<typeof createOpenAIHandlers>[0]): { client: OpenAI; ledger: UpstreamLedger } {
  const { completions } = createOpenAIHandlers({ baseUrl: OPENAI_BASE, ...options });
  const ledger: UpstreamLedger = {
    started: 0,
    finished: 0,
    stopped: 0,
    aborted: 0,
    get open() {
      return this.started - this.finished - this.stopped;
    },
  };
  const upstreamFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    ledger.started++;
    request.signal.addEventListener('abort', () => ledger.aborted++, { once: true });
    let settled = false;
    const settle = (how: 'finished' | 'stopped'): void => {
      if (settled) return;
      settled = true;
      ledger[how]++;
    };
    const response = await getResponse([completions], request);
    if (response?.body == null) {
      settle('finished');
      return response ?? Response.error();
    }
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const step = await reader.read();
            if (step.done) {
              settle('finished');
              controller.close();
            } else controller.enqueue(step.value);
          } catch (error) {
            settle('stopped');
            controller.error(error);
          }
        },
        cancel(reason) {
          settle('stopped');
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return { client: new OpenAI({ apiKey: 'sk-test', baseURL: OPENAI_BASE, maxRetries: 0, fetch: upstreamFetch }), ledger };
}

/** Heap and RSS sampled every 10 ms while `work` runs; the peaks. */
async function sampled<T>(work: () => Promise<T>): Promise<{ result: T; peakHeap: number; peakRss: number }> {
  let peakHeap = 0;
  let peakRss = 0;
  const sample = (): void => {
    const { heapUsed, rss } = process.memoryUsage();
    peakHeap = Math.max(peakHeap, heapUsed);
    peakRss = Math.max(peakRss, rss);
  };
  const timer = setInterval(sample, 10);
  try {
    const result = await work();
    sample();
    return { result, peakHeap, peakRss };
  } finally {
    clearInterval(timer);
  }
}

/** Heap in use once pending callbacks ran and the collector ran twice. */
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Resolves once `done()` holds, checking every 10 ms; after `ms`, resolves anyway (the assertions then say what is left). */
async function until(done: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !done() && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe(`load: ${STREAMS} concurrent streams over a loopback socket`, () => {
  let http: LoopbackServer;
  let route: ChatRouteHandlers['stream'] = () => Promise.reject(new Error('no handler mounted'));
  const adapterFailures: unknown[] = [];
  /** Log events counted by outcome (`200 stop`, `200 aborted`…), not kept: kept events would read as retained memory. */
  const outcomes = new Map<string, number>();
  const errors: ChatLogEvent[] = [];
  const count = (event: ChatLogEvent): void => {
    const outcome = `${event.status} ${event.code ?? event.finishReason ?? ''}`;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  };
  const logger = { info: count, warn: count, error: (event: ChatLogEvent) => void errors.push(event) };

  beforeAll(async () => {
    // One connection per stream: idle keep-alive sockets would count as retained memory.
    http = await serveOnLoopback((request) => route(request), { keepAlive: false, onError: (error) => adapterFailures.push(error) });
  });
  afterAll(() => http.close());

  /** Mounts a fresh stream handler on the upstream `client`. */
  function mount(client: OpenAI): void {
    outcomes.clear();
    errors.length = 0;
    // One client key per stream (the first X-Forwarded-For address): the per-client caps stay at their defaults
    // and admit every stream, so this measures the handler's throughput, as 200 different users would see it.
    route = createChatHandlers({ openai: client, model: 'gpt-4o-mini', logger }).stream;
  }

  /** One stream from the test's HTTP client (undici, no interception); `leaveAfterFirstDelta` disconnects early. */
  async function stream(id: string, leaveAfterFirstDelta = false): Promise<{ status: number; type: string | null; text: string }> {
    const connection = new AbortController();
    const response = await fetch(`${http.url}/api/chat/stream`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', 'X-Forwarded-For': `10.0.${id}` },
      body: JSON.stringify(userTurn(`Question ${id}`)),
      signal: connection.signal,
    });
    const type = response.headers.get('content-type');
    if (!leaveAfterFirstDelta) return { status: response.status, type, text: await response.text() };
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('"content"')) text += new TextDecoder().decode((await reader.read()).value);
    connection.abort();
    return { status: response.status, type, text };
  }

  it('answers every stream in full with [DONE], leaks no upstream request, and gives its memory back', async () => {
    const expected = (id: string) => `${replyFor(`Question ${id}`)}\n\n${BODY}`;
    const { client, ledger } = emulatedOpenAI({ reply: (prompt) => `${replyFor(prompt)}\n\n${BODY}`, chunkCount: CHUNKS });
    mount(client);
    // Warm-up (JIT, connection pools, module state), then the baseline.
    await Promise.all(Array.from({ length: 20 }, (_, i) => stream(`0.${i}`)));
    const baseline = await settledHeap();
    const rssBaseline = process.memoryUsage().rss;

    const figures: string[] = [];
    const retainedAfter: number[] = [];
    let peakHeap = 0;
    let peakRss = 0;
    const started = performance.now();
    for (let round = 1; round <= ROUNDS; round++) {
      const ids = Array.from({ length: STREAMS }, (_, i) => `${round}.${i}`);
      const roundStarted = performance.now();
      const run = await sampled(() => Promise.all(ids.map((id) => stream(id))));
      const ms = performance.now() - roundStarted;
      peakHeap = Math.max(peakHeap, run.peakHeap);
      peakRss = Math.max(peakRss, run.peakRss);
      for (const [index, answer] of run.result.entries()) {
        const id = ids[index]!;
        const items = parseSse(answer.text);
        expect({ id, status: answer.status, type: answer.type }).toEqual({ id, status: 200, type: 'text/event-stream' });
        expect(items.filter((item) => item.kind === 'event' && item.event === 'error'), id).toEqual([]);
        expect(streamedText(items), id).toBe(expected(id));
        expect(items.at(-1), id).toEqual({ kind: 'event', data: '[DONE]' });
      }
      const after = await settledHeap();
      retainedAfter.push(after - baseline);
      figures.push(
        `round ${round}: ${ms.toFixed(0)} ms (${((STREAMS / ms) * 1000).toFixed(0)} streams/s), peak heap ${MiB(run.peakHeap - baseline)} ` +
          `and RSS ${MiB(run.peakRss - rssBaseline)} over baseline, ${MiB(after - baseline)} retained after GC`,
      );
    }
    const duration = performance.now() - started;
    await until(() => ledger.open === 0, 2000);
    const retained = retainedAfter.at(-1)!;
    const growth = retained - retainedAfter[0]!;

    const answered = STREAMS * ROUNDS + 20;
    expect(ledger).toMatchObject({ started: answered, finished: answered, stopped: 0, aborted: 0, open: 0 });
    expect(errors).toEqual([]);
    expect(adapterFailures).toEqual([]);
    expect(Object.fromEntries(outcomes)).toEqual({ '200 stop': answered });
    console.info(
      [
        `load: ${ROUNDS} rounds × ${STREAMS} concurrent streams (${CHUNKS} deltas, ${expected('1.0').length} characters each) over loopback HTTP`,
        ...figures.map((line) => `  ${line}`),
        `  total ${duration.toFixed(0)} ms; peak heap ${MiB(peakHeap - baseline)} over a ${MiB(baseline)} baseline ` +
          `(${((peakHeap - baseline) / STREAMS / 1024).toFixed(1)} KiB per concurrent stream); peak RSS ${MiB(peakRss - rssBaseline)} over baseline`,
        `  retained after GC: ${MiB(retained)} (bound ${MiB(RETAINED_HEAP_BOUND_BYTES)}), ${MiB(growth)} of it since round 1 ` +
          `(bound ${MiB(GROWTH_BOUND_BYTES)}); upstream requests ${ledger.started} started, ${ledger.finished} finished, ${ledger.open} open`,
      ].join('\n'),
    );
    expect(retained).toBeLessThan(RETAINED_HEAP_BOUND_BYTES);
    expect(growth).toBeLessThan(GROWTH_BOUND_BYTES);
  }, 60_000);

  it('stops every upstream request when all the clients leave after their first delta', async () => {
    // Slow enough (40 deltas × 50 ms) that an upstream request left running would still be open, or finish, here.
    const { client, ledger } = emulatedOpenAI({ reply: LONG_REPLY, chunkCount: CHUNKS, chunkIntervalMs: 50 });
    mount(client);
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: STREAMS }, (_, i) => stream(`9.${i}`, true)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    await until(() => ledger.open === 0, 5000);
    await until(() => outcomes.get('200 aborted') === STREAMS, 1000);
    console.info(`load: ${STREAMS} clients left after their first delta; upstream requests settled ${(performance.now() - started).toFixed(0)} ms after the first connect: ${ledger.stopped} stopped, ${ledger.finished} finished, ${ledger.open} open`);
    expect(ledger).toMatchObject({ started: STREAMS, finished: 0, stopped: STREAMS, aborted: STREAMS, open: 0 });
    expect(Object.fromEntries(outcomes)).toEqual({ '200 aborted': STREAMS });
    expect(errors).toEqual([]);
    expect(adapterFailures).toEqual([]);
  }, 30_000);
});
