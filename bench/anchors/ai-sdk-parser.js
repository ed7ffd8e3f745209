// Plain JavaScript on purpose: the typecheck of bench/ must pass where the anchors are not installed, and this is the
// only file that names them. bench/fixtures/sse-readers.ts imports it once installAnchors() has run.
import { parseJsonEventStream } from '@ai-sdk/provider-utils';
import { z } from 'zod';

export { parseJsonEventStream };

/**
 * What an AI SDK provider hands `parseJsonEventStream` for an OpenAI-style chunk: a zod schema, here of the fields the
 * benchmark reads, loose so the chunk's other fields pass as they are.
 */
export const chunkSchema = z.looseObject({
  choices: z.array(z.looseObject({ delta: z.looseObject({ content: z.string().nullish() }) })),
});
