import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CASE_TIMEOUT_MS, cutAt, setupSplitDelivery } from './split-delivery.js';

/**
 * Round trip: any sequence of events, written with any of the encodings WHATWG allows (line endings, optional space
 * after the colon, a BOM, comments, `id` and `retry` lines anywhere in an event, `data` split over several lines),
 * cut into any chunks (inside CRLFs, field names and multi-byte characters), reads back through the public
 * `createSseTransport` as exactly the `message` events that were written.
 */
const deliver = setupSplitDelivery();
const encoder = new TextEncoder();

/** One character: ASCII (JSON-escaped ones included), accented Latin, CJK, emoji and other astral characters. */
const character = fc.oneof(
  fc.constantFrom('\n', '\r', '\t', '"', '\\', ' ', '\0', '\u2028'),
  fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCodePoint(code)),
  fc.integer({ min: 0xc0, max: 0x17f }).map((code) => String.fromCodePoint(code)),
  fc.integer({ min: 0x4e00, max: 0x9fff }).map((code) => String.fromCodePoint(code)),
  fc.integer({ min: 0x1f300, max: 0x1faff }).map((code) => String.fromCodePoint(code)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
);
const text = fc.oneof(fc.string({ unit: character, maxLength: 24 }), fc.string({ unit: 'binary', maxLength: 8 }));
/** A field value or comment: anything but a line break. */
const lineText = fc.string({ unit: character, maxLength: 12 }).map((value) => value.replace(/[\r\n]/g, '_'));

/** What the event's `event` field says: absent, the default spelled out or empty, or another name. */
const eventName = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('message', ''),
  lineText.filter((name) => name !== '' && name !== 'message' && name !== 'error'),
);

interface SentEvent {
  name: string | undefined;
  text: string;
  /** Which of the payload's three token boundaries become a new `data` line. */
  breaks: [boolean, boolean, boolean];
  /** Comment, `id` and `retry` lines, and where among the data lines each goes. */
  extras: Array<{ line: string; at: number }>;
  spaced: boolean;
  blankLines: number;
}

const extraLine = fc.oneof(
  lineText.map((comment) => `:${comment}`),
  lineText.map((id) => `id:${id}`),
  fc.oneof(fc.stringMatching(/^\d{1,6}$/), lineText).map((retry) => `retry: ${retry}`),
);

const sentEvent: fc.Arbitrary<SentEvent> = fc.record({
  name: eventName,
  text,
  breaks: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
  extras: fc.array(fc.record({ line: extraLine, at: fc.nat() }), { maxLength: 3 }),
  spaced: fc.boolean(),
  blankLines: fc.integer({ min: 1, max: 3 }),
});

/** The lines of one event (its blank lines included), before line endings are chosen. */
function linesOf(event: SentEvent): string[] {
  const data = ['{'];
  for (const [i, token] of ['"content":', JSON.stringify(event.text), '}'].entries()) data.push(event.breaks[i] ? token : `${data.pop()}${token}`);
  const lines = data.map((piece) => `data:${event.spaced ? ' ' : ''}${piece}`);
  if (event.name !== undefined) lines.unshift(`event:${event.spaced || event.name.startsWith(' ') ? ' ' : ''}${event.name}`);
  for (const extra of event.extras) lines.splice(extra.at % (lines.length + 1), 0, extra.line);
  return [...lines, ...Array<string>(event.blankLines).fill('')];
}

/** Joins lines with the chosen endings. A CR then an empty line ended by LF would read as one CRLF: avoided. */
function joinLines(lines: string[], endings: string[]): string {
  let previous = '\n';
  return lines
    .map((line, i) => {
      let ending = endings[i % endings.length]!;
      if (line === '' && previous === '\r' && ending === '\n') ending = '\r\n';
      previous = ending;
      return line + ending;
    })
    .join('');
}

const stream = fc.record({
  bom: fc.boolean(),
  events: fc.array(sentEvent, { maxLength: 6 }),
  endings: fc.array(fc.constantFrom('\n', '\r', '\r\n'), { minLength: 1, maxLength: 8 }),
  cuts: fc.oneof({ weight: 4, arbitrary: fc.array(fc.nat(), { maxLength: 16 }) }, { weight: 1, arbitrary: fc.constant('every byte' as const) }),
});

describe('SSE round trip through the transport (property)', () => {
  it(
    'reads back every message event written, whatever the encoding and the chunking',
    async () => {
      await fc.assert(
        fc.asyncProperty(stream, async ({ bom, events, endings, cuts }) => {
          const lines = [...events.flatMap(linesOf), 'data: [DONE]', ''];
          const bytes = encoder.encode((bom ? '\uFEFF' : '') + joinLines(lines, endings));
          const positions = cuts === 'every byte' ? Array.from(bytes, (_, i) => i) : cuts.map((cut) => cut % bytes.length);
          const expected = events.filter((event) => (event.name ?? 'message') === 'message' || event.name === '').map((event) => event.text);
          expect(await deliver(cutAt(bytes, positions))).toEqual({ deltas: expected.filter((delta) => delta !== ''), end: 'done' });
        }),
        { numRuns: 250 },
      );
    },
    CASE_TIMEOUT_MS,
  );
});
