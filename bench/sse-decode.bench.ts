import { expect, it } from 'vitest';
import { chunkedBody, splitCharacters, splitRandomly, sseResponse } from './fixtures/chunked-body.js';
import { compareMedians } from './fixtures/measure.js';
import { openAIStream } from './fixtures/openai-stream.js';
import {
  createParserReader,
  floorReader,
  loadAiSdkReader,
  naiveSplitReader,
  openAIReader,
  parserStreamReader,
  transportReader,
  type SseReader,
} from './fixtures/sse-readers.js';
import { collectGarbage, record } from './support/results.js';

const SECTION = '1. SSE decode';
const CONTENT_EVENTS = 200_000;
/** Rounds for the target ratio, and for the slower readers that are only anchors. */
const ROUNDS = 5;
const ANCHOR_ROUNDS = 3;

it('decodes a 30 MB OpenAI stream through createSseTransport within 1.3x of the floor', async () => {
  const stream = openAIStream(CONTENT_EVENTS, 1);
  const chunks = splitRandomly(stream.bytes, 2, 1, 4096);
  const read = (reader: SseReader) => () => reader(sseResponse(chunkedBody(chunks)));
  const complete = { deltas: CONTENT_EVENTS, chars: stream.text.length, corrupted: 0 };

  const target = await compareMedians({ floor: read(floorReader), transport: read(transportReader), createParser: read(createParserReader) }, ROUNDS, collectGarbage);
  // The AI SDK's reader lives in bench/anchors, installed on demand: without a registry its row says why it is missing.
  const aiSdkReader = await loadAiSdkReader();
  const anchorPaths = { floor: read(floorReader), parserStream: read(parserStreamReader), openai: read(openAIReader) };
  const anchors = await compareMedians(
    typeof aiSdkReader === 'string' ? anchorPaths : { ...anchorPaths, aiSdk: read(aiSdkReader) },
    ANCHOR_ROUNDS,
    collectGarbage,
  );
  // A reader that missed or garbled an event did less work: its time would mean nothing.
  for (const { result } of [...Object.values(target), ...Object.values(anchors)]) expect(result).toEqual(complete);
  const naive = await naiveSplitReader(sseResponse(chunkedBody(chunks)));
  expect(naive.deltas).toBeLessThan(CONTENT_EVENTS);

  const megabytes = stream.bytes.byteLength / 1e6;
  const floor = target.floor.cpuMs;
  record({
    section: SECTION,
    name: 'floor: TextDecoder stream + blank-line scan + JSON.parse (CPU)',
    value: floor,
    unit: 'ms',
    note: `${CONTENT_EVENTS.toLocaleString('en-US')} events, ${megabytes.toFixed(1)} MB in ${chunks.length.toLocaleString('en-US')} chunks of 1..4096 B, ${splitCharacters(chunks)} boundaries inside a character; ${(megabytes / (floor / 1000)).toFixed(0)} MB/s; median of ${ROUNDS}`,
  });
  const ratio = target.transport.cpuMs / floor;
  record({
    section: SECTION,
    name: 'createSseTransport path / floor',
    value: ratio,
    unit: 'x',
    target: '<= 1.3x',
    ok: ratio <= 1.3,
    note: `down to delta events; CPU ${target.transport.cpuMs.toFixed(0)} ms; wall-clock ratio ${(target.transport.wallMs / target.floor.wallMs).toFixed(2)}x`,
  });
  record({ section: SECTION, name: 'eventsource-parser createParser / floor', value: target.createParser.cpuMs / floor, unit: 'x', note: 'issue anchor 1.03x' });
  const anchorFloor = anchors.floor.cpuMs;
  record({ section: SECTION, name: 'eventsource-parser EventSourceParserStream / floor', value: anchors.parserStream.cpuMs / anchorFloor, unit: 'x', note: `issue anchor 1.7x; median of ${ANCHOR_ROUNDS}` });
  record({ section: SECTION, name: 'openai Stream.fromSSEResponse / floor', value: anchors.openai.cpuMs / anchorFloor, unit: 'x', note: `issue anchor 5.4x; median of ${ANCHOR_ROUNDS}` });
  const aiSdk = 'aiSdk' in anchors ? anchors.aiSdk : undefined;
  record({
    section: SECTION,
    name: 'AI SDK parseJsonEventStream / floor',
    value: aiSdk === undefined ? null : aiSdk.cpuMs / anchorFloor,
    unit: aiSdk === undefined ? '' : 'x',
    note:
      aiSdk === undefined
        ? `not measured: ${String(aiSdkReader)}; issue anchor 3.4x`
        : `issue anchor 3.4x; @ai-sdk/provider-utils with a zod chunk schema (bench/anchors); median of ${ANCHOR_ROUNDS}`,
  });
  const lost = CONTENT_EVENTS - naive.deltas;
  record({
    section: SECTION,
    name: 'naive decode(value).split("\\n"): events lost',
    value: lost,
    unit: 'events',
    note: `${((lost / CONTENT_EVENTS) * 100).toFixed(1)}% (issue anchor 7%); ${naive.corrupted} more delivered with U+FFFD`,
  });
});
