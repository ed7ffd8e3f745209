import { describe, expect, it } from 'vitest';
import { CASE_TIMEOUT_MS, cuts, setupSplitDelivery, type Outcome } from './split-delivery.js';
import { WPT_VECTORS, wptBody, wptContentType, type DataLine, type Piece, type WptVector } from './wpt-eventsource.fixture.js';

/**
 * The web-platform-tests event-stream vectors, read through `createSseTransport` at every split point.
 *
 * The transport surfaces only what the protocol's JSON payloads say, so each vector runs in the kit's wire format:
 * WPT's bytes stay as they are (BOMs, line endings, comments, unknown and malformed fields, NULs, `id`, `retry`,
 * `event`, the blank lines that dispatch or not), and only the values of `data` lines with a colon are replaced by
 * JSON, such that each event's joined data is `{"content":"[<the data WPT expects>]", ...}`. A delta `[D]` then
 * says: this event was dispatched, as a `message`, with exactly its own lines (a line lost, added or cut would make
 * the JSON invalid). The brackets make an empty data visible. `data` lines without a colon keep their empty value,
 * so an event made only of those is not JSON: the kit fails the turn there with `bad_response`, which still shows
 * the event was dispatched.
 */
const deliver = setupSplitDelivery();
const encoder = new TextEncoder();
const isData = (piece: Piece): piece is DataLine => typeof piece !== 'string';

/** The body exactly as WPT's server sends it. */
function wptBytesOf(vector: WptVector): string {
  return vector.body.map((piece) => (isData(piece) ? piece.value : piece)).join('');
}

/** The same body with each event's colon `data` lines carrying one JSON object, split across them. */
function kitBodyOf(vector: WptVector): string {
  const seen = new Map<number, number>();
  const body = vector.body.map((piece) => {
    if (!isData(piece)) return piece;
    if (!piece.colon) return '';
    const lines = vector.body.filter((other): other is DataLine => isData(other) && other.colon && other.event === piece.event);
    const index = seen.get(piece.event) ?? 0;
    seen.set(piece.event, index + 1);
    const data = vector.events[piece.event]!.data;
    const head = index === 0 ? `{"content":${JSON.stringify(`[${data}]`)},"0":${JSON.stringify(piece.value)}` : `,"${index}":${JSON.stringify(piece.value)}`;
    return index === lines.length - 1 ? `${head}}` : head;
  });
  // A complete stream ends the protocol's way; a truncated one is left truncated.
  const truncated = vector.events.some((event) => event.dispatched === false);
  return body.join('') + (truncated ? '' : 'data: [DONE]\n\n');
}

/** What the transport must read from {@link kitBodyOf}, from the events WPT expects. */
function kitOutcomeOf(vector: WptVector): Outcome {
  if (vector.fails) return { deltas: [], end: 'error:bad_response' };
  const deltas: string[] = [];
  for (const [index, event] of vector.events.entries()) {
    if (event.dispatched === false || event.type !== 'message') continue;
    const readable = vector.body.some((piece) => isData(piece) && piece.colon && piece.event === index);
    if (!readable) return { deltas, end: 'error:bad_response' };
    deltas.push(`[${event.data}]`);
  }
  return { deltas, end: vector.events.some((event) => event.dispatched === false) ? 'error:bad_response' : 'done' };
}

describe('web-platform-tests eventsource format vectors', () => {
  it('holds every format test of WPT', () => {
    expect(WPT_VECTORS).toHaveLength(29);
    expect(new Set(WPT_VECTORS.map((vector) => vector.source)).size).toBe(WPT_VECTORS.length);
  });

  describe.each(WPT_VECTORS)('$source', (vector) => {
    it("matches the bytes WPT's resource answers and the data its assertions expect", () => {
      expect(wptBytesOf(vector)).toBe(wptBody(vector.resource));
      for (const [index, event] of vector.events.entries()) {
        const lines = vector.body.filter((piece): piece is DataLine => isData(piece) && piece.event === index);
        expect(lines.map((line) => line.value).join('\n'), `event ${index}`).toBe(event.data);
      }
    });

    it(
      'reads it through the transport at every split point',
      async () => {
        const bytes = encoder.encode(kitBodyOf(vector));
        const expected = kitOutcomeOf(vector);
        for (const cut of cuts(bytes)) expect(await deliver(cut.chunks, wptContentType(vector.resource)), cut.label).toEqual(expected);
      },
      CASE_TIMEOUT_MS,
    );
  });
});
