import { http, HttpResponse } from 'msw';
import { beforeEach } from 'vitest';
import { createSseTransport, isChatError } from 'colloquy/core';
import { CHAT_URL, collect, SSE_HEADERS, setupMswServer, streamOf } from '../helpers/transport-harness.js';

/** What one turn read through `createSseTransport` produced: each delta's text in order, and how it ended. */
export interface Outcome {
  deltas: string[];
  /** `done`, `error:<ChatErrorCode>`, or `raw:<text>` for a failure that escaped as something else than a ChatError. */
  end: string;
}

/** One way of cutting a body into chunks, named for failure messages. */
export interface Cut {
  label: string;
  chunks: Uint8Array[];
}

/** Bodies up to this size are cut in two at every byte; longer ones use {@link STRIDE} runs instead. */
const EVERY_SPLIT_LIMIT = 1024;
/**
 * For a long body, run `r` (1 ≤ r ≤ STRIDE) cuts it at bytes r, r + STRIDE, r + 2·STRIDE…: every byte position is a
 * chunk boundary in exactly one run, in STRIDE requests instead of one per byte (each is a real MSW round trip).
 */
const STRIDE = 64;

/**
 * Every way the suites cut a body: whole, one byte per chunk (data spread over as many chunks as it has bytes), and a
 * boundary at every byte position (two chunks per run for short bodies, strided runs for long ones).
 */
export function* cuts(bytes: Uint8Array): Generator<Cut> {
  yield { label: 'in one chunk', chunks: [bytes] };
  yield { label: 'one byte per chunk', chunks: Array.from(bytes, (_, i) => bytes.slice(i, i + 1)) };
  if (bytes.length <= EVERY_SPLIT_LIMIT) {
    for (let split = 1; split < bytes.length; split++) {
      yield { label: `split at byte ${split} of ${bytes.length}`, chunks: [bytes.slice(0, split), bytes.slice(split)] };
    }
    return;
  }
  for (let offset = 1; offset <= STRIDE; offset++) {
    const chunks = [bytes.slice(0, offset)];
    for (let start = offset; start < bytes.length; start += STRIDE) chunks.push(bytes.slice(start, start + STRIDE));
    yield { label: `cut every ${STRIDE} bytes from byte ${offset} of ${bytes.length}`, chunks };
  }
}

/** Cuts `bytes` before each of `positions` (any order; out-of-range and repeated positions are ignored). */
export function cutAt(bytes: Uint8Array, positions: readonly number[]): Uint8Array[] {
  const bounds = [...new Set(positions.filter((position) => position > 0 && position < bytes.length))].sort((a, b) => a - b);
  return [0, ...bounds].map((start, i) => bytes.slice(start, bounds[i] ?? bytes.length));
}

/** How a test answers the next turn: the body's chunks, and its `Content-Type`. */
interface Answer {
  chunks: Uint8Array[];
  contentType: string;
}

/**
 * Installs, for the calling test file, an MSW server whose chat endpoint answers each turn with exactly the chunks
 * the test passes to `deliver`, and returns `deliver`: one turn through the public `createSseTransport`, summarized.
 */
export function setupSplitDelivery(): (chunks: Uint8Array[], contentType?: string) => Promise<Outcome> {
  const server = setupMswServer();
  const transport = createSseTransport({ url: CHAT_URL });
  let next: Answer = { chunks: [], contentType: SSE_HEADERS['Content-Type'] };
  // One handler reading `next`, rather than one `server.use` per turn: a case runs thousands of turns.
  beforeEach(() => {
    server.use(http.post(CHAT_URL, () => new HttpResponse(streamOf(next.chunks), { headers: { 'Content-Type': next.contentType } })));
  });
  return async (chunks, contentType = SSE_HEADERS['Content-Type']) => {
    next = { chunks, contentType };
    const { events, error } = await collect(transport);
    const deltas = events.flatMap((event) => (event.type === 'delta' ? [event.content] : []));
    const end = error === undefined ? (events.at(-1)?.type ?? 'nothing') : isChatError(error) ? `error:${error.code}` : `raw:${String(error)}`;
    return { deltas, end };
  };
}

/** Generous: a case makes up to ~1,000 MSW round trips, slow on a busy machine. Not a performance assertion. */
export const CASE_TIMEOUT_MS = 120_000;
