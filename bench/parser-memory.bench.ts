import { expect, it } from 'vitest';
import { createSseTransport, isChatError, type ChatError } from 'colloquy/core';
import { chunkedBody, fetchAnswering, sseResponse } from './fixtures/chunked-body.js';
import { retainedHeap } from './fixtures/heap.js';
import { compareMedians } from './fixtures/measure.js';
import { textMessage } from './fixtures/messages.js';
import { collectGarbage, record } from './support/results.js';

const SECTION = '#11.8 Parser memory';
const MiB = 1024 * 1024;
const encoder = new TextEncoder();
const request = { messages: [textMessage('u1', 'user', 'Hi')] };

/** Reads one answer through `createSseTransport` over `chunks`; resolves with its delta count and how it ended. */
async function readAnswer(chunks: Iterable<Uint8Array>, onPull?: (delivered: number) => void): Promise<{ deltas: number; chars: number; error?: ChatError }> {
  const transport = createSseTransport({ url: 'http://bench.test/api/chat/stream', fetch: fetchAnswering(() => sseResponse(chunkedBody(chunks, onPull))) });
  let deltas = 0;
  let chars = 0;
  try {
    for await (const event of transport.send(request, { signal: new AbortController().signal })) {
      if (event.type !== 'delta') continue;
      deltas++;
      chars += event.content.length;
    }
    return { deltas, chars };
  } catch (error) {
    if (!isChatError(error)) throw error;
    return { deltas, chars, error };
  }
}

/** Reads a body of `chunks` to the end and does nothing else: the cost of the reads alone. */
async function readBytes(chunks: Iterable<Uint8Array>): Promise<number> {
  const reader = chunkedBody(chunks).getReader();
  let bytes = 0;
  for (let step = await reader.read(); !step.done; step = await reader.read()) bytes += step.value.byteLength;
  return bytes;
}

/** `data: ` and then 64 MiB of `x` without a line end, in 64 KiB chunks (one buffer, handed out again and again). */
function* endlessLine(totalBytes: number, chunkBytes: number): Generator<Uint8Array> {
  yield encoder.encode('data: ');
  const chunk = new Uint8Array(chunkBytes).fill(0x78);
  for (let sent = 0; sent < totalBytes; sent += chunkBytes) yield chunk;
}

it('ends an unterminated 64 MiB line with a typed error, holding under twice maxEventBytes', async () => {
  const limit = 1_048_576; // createSseTransport's default maxEventBytes
  // Once untimed and unmeasured: the first run compiles the transport's code, which the heap would count as growth.
  expect((await readAnswer(endlessLine(4 * MiB, 64 * 1024))).error?.code).toBe('bad_response');
  const baseline = retainedHeap();
  let peak = baseline;
  let delivered = 0;
  // Sampled at every read: what the transport retains while the line grows (a full collection first).
  const result = await readAnswer(endlessLine(64 * MiB, 64 * 1024), (bytes) => {
    delivered = bytes;
    peak = Math.max(peak, retainedHeap());
  });
  collectGarbage();
  expect(result.error?.code).toBe('bad_response');
  expect(delivered).toBeLessThan(2 * limit);
  const grown = peak - baseline;
  record({
    section: SECTION,
    name: 'retained heap growth reading an unterminated 64 MiB line (maxEventBytes 1 MiB)',
    value: grown / MiB,
    unit: 'MiB',
    target: '< 2 MiB (2x the limit)',
    ok: grown < 2 * limit,
    note: `peak over the reads, each after a full collection; ${(grown / limit).toFixed(2)}x the limit; ${result.error?.code} after ${((delivered + 64 * 1024) / MiB).toFixed(2)} MiB of 64 were read`,
  });
});

it('parses one event delivered in 10,000 one-byte chunks, against one chunk', async () => {
  const done = encoder.encode('data: [DONE]\n\n');
  // One event of exactly 10,000 bytes: `data: {"content":"xxx…"}\n\n`.
  const overhead = 'data: {"content":""}\n\n'.length;
  const event = encoder.encode(`data: ${JSON.stringify({ content: 'x'.repeat(10_000 - overhead) })}\n\n`);
  expect(event.byteLength).toBe(10_000);
  const bytes = (data: Uint8Array) => Array.from({ length: data.byteLength }, (_, i) => data.subarray(i, i + 1));
  // The same 10,000 one-byte reads, carrying 416 small events: the cost of the reads alone, without an event that
  // stays pending for 10,000 of them. A parser that re-scanned its buffer at every byte would show here.
  const small = encoder.encode(`data: ${JSON.stringify({ content: 'x' })}\n\n`.repeat(Math.floor(10_000 / 24)));
  const oneByte = bytes(event);
  const smallOneByte = bytes(small);

  const ms = await compareMedians(
    {
      bareReads: () => readBytes([...oneByte, done]),
      oneChunk: () => readAnswer([event, done]),
      oneByteChunks: () => readAnswer([...oneByte, done]),
      smallEventsOneByteChunks: () => readAnswer([...smallOneByte, done]),
    },
    7,
    collectGarbage,
    10,
  );
  expect(ms.oneChunk.result).toEqual({ deltas: 1, chars: 10_000 - overhead });
  expect(ms.oneByteChunks.result).toEqual(ms.oneChunk.result);
  const literal = ms.oneByteChunks.cpuMs / ms.oneChunk.cpuMs;
  const perRead = (cpuMs: number) => `${((cpuMs / 10_000) * 1000).toFixed(1)} µs`;
  record({
    section: SECTION,
    name: 'one 10,000-byte event in 10,000 one-byte chunks / in one chunk',
    value: literal,
    unit: 'x',
    target: '<= 2x',
    ok: literal <= 2,
    note: `${ms.oneByteChunks.cpuMs.toFixed(1)} vs ${ms.oneChunk.cpuMs.toFixed(2)} ms CPU, median of 7: ${perRead(ms.oneByteChunks.cpuMs)} per chunk, of which a bare stream read is ${perRead(ms.bareReads.cpuMs)}`,
  });
  const pending = ms.oneByteChunks.cpuMs / ms.smallEventsOneByteChunks.cpuMs;
  record({
    section: SECTION,
    name: 'one event pending over 10,000 one-byte reads / 416 small events over the same reads',
    value: pending,
    unit: 'x',
    target: '<= 2x (no re-scan per byte)',
    ok: pending <= 2,
    note: `${ms.oneByteChunks.cpuMs.toFixed(1)} vs ${ms.smallEventsOneByteChunks.cpuMs.toFixed(1)} ms CPU; same reads, same bytes`,
  });
});
