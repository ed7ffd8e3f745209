import { describe, expect, it } from 'vitest';
import { CHAT_URL } from '../helpers/transport-harness.js';
import { SSE_RULES } from './sse-rules.js';
import { CASE_TIMEOUT_MS, cuts, setupSplitDelivery } from './split-delivery.js';

/**
 * WHATWG event-stream interpretation, checked end to end through `createSseTransport` and MSW: each stream is encoded
 * to UTF-8 and delivered whole, one byte per chunk, and cut at every byte position, so every rule must hold wherever
 * a chunk ends (inside a CRLF, a field name, a multi-byte character, the BOM).
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
const deliver = setupSplitDelivery();
const encoder = new TextEncoder();

describe('SSE conformance at every split point', () => {
  it('has a table of at least 30 distinct rules', () => {
    expect(new Set(SSE_RULES.map((rule) => rule.name)).size).toBe(SSE_RULES.length);
    expect(SSE_RULES.length).toBeGreaterThanOrEqual(30);
  });

  it('delivers chunks through MSW exactly as the test cuts them', async () => {
    const chunks = [encoder.encode('a'), encoder.encode('bc'), encoder.encode('def')];
    await deliver(chunks); // sets the handler's answer; read it again, raw
    const response = await fetch(CHAT_URL, { method: 'POST' });
    const reader = response.body!.getReader();
    const sizes: number[] = [];
    for (let result = await reader.read(); !result.done; result = await reader.read()) sizes.push(result.value.byteLength);
    expect(sizes).toEqual([1, 2, 3]);
  });

  it.each(SSE_RULES)(
    '$name',
    async ({ stream, deltas, error }) => {
      const bytes = typeof stream === 'string' ? encoder.encode(stream) : stream;
      const expected = { deltas, end: error === undefined ? 'done' : `error:${error}` };
      for (const cut of cuts(bytes)) expect(await deliver(cut.chunks), cut.label).toEqual(expected);
    },
    CASE_TIMEOUT_MS,
  );
});
