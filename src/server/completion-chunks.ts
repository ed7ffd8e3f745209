import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { APIError, OpenAIError } from 'openai';

/** What the chunks of one network read of OpenAI's stream say about the answer (choice 0), in order. */
export interface CompletionChunkBatch {
  /** The non-empty `delta.content` strings, in order. */
  readonly contents: string[];
  /** The last non-empty `model` named. */
  model: string | undefined;
  /** The last `usage` object sent (`parseUsage` checks its fields). */
  usage: object | undefined;
  /** The last non-empty `finish_reason`. */
  finishReason: string | undefined;
}

/** Reads the `chat.completion.chunk` events of a streamed chat completion's body. */
export interface CompletionChunkReader {
  /**
   * What the next network read carried (contents may be empty: a role chunk, a comment, half an event), or
   * `undefined` once the body ended, or was cancelled because the signal aborted. Rejects with the SDK's `APIError`
   * for an error payload, a `SyntaxError` for one that is not a JSON object, or the body's own read error; the
   * events before the faulty one are returned first.
   */
  read(): Promise<CompletionChunkBatch | undefined>;
  /** Stops reading and releases the connection; reading already ended is fine. */
  cancel(): void;
}

type Choice = { index?: unknown; delta?: { content?: unknown } | null; finish_reason?: unknown };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads OpenAI's SSE body itself, in place of the SDK's `Stream`: eventsource-parser and one `JSON.parse` per event,
 * one batch per network read (so the caller writes one frame batch per read, not one per event). It keeps the
 * SDK's reading rules: events after `data: [DONE]` are ignored (the body is still read to its end), a payload with
 * an `error` member (or an `event: error`) throws `APIError` with the response's headers, like the SDK's stream
 * did, and an unterminated last event is dropped. A character split across reads is decoded whole.
 */
export function readCompletionChunks(response: Response, signal: AbortSignal): CompletionChunkReader {
  // The SDK's own wording for a response without a body.
  if (response.body === null) throw new OpenAIError('Attempted to iterate over a response with no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let batch = emptyBatch();
  let failure: unknown;
  let sawDone = false;
  let ended = false;

  const fail = (error: unknown): void => {
    failure ??= error;
  };
  const onEvent = (message: EventSourceMessage): void => {
    if (sawDone || failure !== undefined) return;
    if (message.data.startsWith('[DONE]')) {
      sawDone = true;
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(message.data);
    } catch (error) {
      fail(error);
      return;
    }
    if (!isRecord(payload)) return fail(new SyntaxError('A streamed chunk is not a JSON object.'));
    if (payload.error || message.event === 'error') {
      return fail(new APIError(undefined, isRecord(payload.error) ? payload.error : payload, undefined, response.headers));
    }
    addChunk(batch, payload);
  };
  // Unknown fields and invalid `retry` lines are ignored, as the SDK's decoder ignores them.
  const parser = createParser({ onEvent });

  const cancel = (): void => {
    if (ended) return;
    ended = true;
    signal.removeEventListener('abort', cancel);
    reader.cancel().catch(() => undefined);
  };
  // A `fetch` that ignores the abort (a custom one) must not keep the body flowing into a stream nobody forwards.
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel, { once: true });

  return {
    async read() {
      if (failure !== undefined) {
        cancel();
        throw failure;
      }
      if (ended) return undefined;
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (error) {
        cancel();
        throw error;
      }
      if (step.done) {
        ended = true;
        signal.removeEventListener('abort', cancel);
        return undefined;
      }
      if (!sawDone) parser.feed(decoder.decode(step.value, { stream: true }));
      const read = batch;
      batch = emptyBatch();
      return read;
    },
    cancel,
  };
}

function emptyBatch(): CompletionChunkBatch {
  return { contents: [], model: undefined, usage: undefined, finishReason: undefined };
}

function addChunk(batch: CompletionChunkBatch, chunk: Record<string, unknown>): void {
  if (typeof chunk.model === 'string' && chunk.model.length > 0) batch.model = chunk.model;
  if (isRecord(chunk.usage)) batch.usage = chunk.usage;
  // With n > 1 OpenAI interleaves other choices; the protocol carries one answer.
  const choice = Array.isArray(chunk.choices) ? (chunk.choices as Choice[]).find((item) => isRecord(item) && item.index === 0) : undefined;
  if (choice === undefined) return;
  const content = isRecord(choice.delta) ? choice.delta.content : undefined;
  if (typeof content === 'string' && content.length > 0) batch.contents.push(content);
  if (typeof choice.finish_reason === 'string' && choice.finish_reason.length > 0) batch.finishReason = choice.finish_reason;
}
