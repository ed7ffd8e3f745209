import { expect } from 'vitest';
import {
  isChatError,
  messageText,
  type ChatError,
  type ChatMessage,
  type ChatStore,
  type ChatTransport,
} from 'colloquy/core';
import type { ConnectionTracker } from '../helpers/connection-tracker.js';
import type { FaultRow } from './fault-table.js';

/** A transport that passes everything through and remembers what its iterator threw. */
export interface RecordingTransport extends ChatTransport {
  readonly thrown: unknown[];
}

/** Wraps `inner` through the public `ChatTransport` interface, recording each turn's failure. */
export function recordingTransport(inner: ChatTransport): RecordingTransport {
  const thrown: unknown[] = [];
  return {
    thrown,
    send(request, options) {
      const events = inner.send(request, options);
      return {
        async *[Symbol.asyncIterator]() {
          try {
            yield* events;
          } catch (error) {
            thrown.push(error);
            throw error;
          }
        },
      };
    },
  };
}

/** What a fault left behind, to check against its {@link FaultRow}. */
export interface TurnOutcome {
  store: ChatStore;
  transport: RecordingTransport;
  /** Every error `onError` received. */
  reported: ChatError[];
  question: string;
  /** The answer text the row's `kept` stands for: `before-fault` and `all` are these exact strings. */
  answer: { beforeFault: string; all: string };
}

/**
 * Asserts a finished turn matches `row`: the typed error (reported in state and once to `onError`, or, for a stop,
 * thrown by the transport while the chat stays `idle`), its `retryable`, `retryAfterMs` and `status`, and what the
 * chat kept: the user's message with its text, and exactly the answer text the row promises, never a replacement
 * character. Returns the error.
 */
export function expectTurnMatches(row: FaultRow, outcome: TurnOutcome): ChatError {
  const state = outcome.store.getState();
  let error: unknown;
  if (row.reported) {
    expect(state.status).toBe('error');
    error = state.status === 'error' ? state.error : undefined;
    expect(outcome.reported).toEqual([error]);
  } else {
    expect(state.status).toBe('idle');
    expect(outcome.reported).toEqual([]);
    error = outcome.transport.thrown.at(-1);
  }
  expect(isChatError(error)).toBe(true);
  const chatError = error as ChatError;
  expect({ code: chatError.code, retryable: chatError.retryable, retryAfterMs: chatError.retryAfterMs, status: chatError.status }).toEqual({
    code: row.code,
    retryable: row.retryable,
    retryAfterMs: row.retryAfterMs,
    status: row.status,
  });

  const ended = row.reported ? 'error' : 'cancelled';
  const [question, answer, ...rest] = state.messages;
  expect(rest).toEqual([]);
  expect(question && { role: question.role, text: messageText(question) }).toEqual({ role: 'user', text: outcome.question });
  if (row.kept === 'none') {
    expect(answer).toBeUndefined();
    expect(question?.status).toBe(ended);
  } else {
    const text = row.kept === 'all' ? outcome.answer.all : outcome.answer.beforeFault;
    expect(answer && { role: answer.role, text: messageText(answer), status: answer.status }).toEqual({ role: 'assistant', text, status: ended });
    expect(messageText(answer as ChatMessage)).not.toContain('\uFFFD');
  }
  return chatError;
}

/**
 * Asserts the user's text is recoverable after the fault: `retry()` sends the same message (same id, same text)
 * again, or, while a `Retry-After` runs, is refused with the remaining wait and sends nothing. An accepted retry
 * is stopped at once; the caller then checks that no connection stayed open.
 */
export async function expectRetryResends(row: FaultRow, outcome: TurnOutcome, tracker: ConnectionTracker): Promise<void> {
  const question = outcome.store.getState().messages[0] as ChatMessage;
  const requests = tracker.connections.length;
  const retry = outcome.store.retry();
  if (row.retryAfterMs !== undefined && row.code === 'rate_limited') {
    expect(retry).toMatchObject({ ok: false, error: { code: 'rate_limited', retryAfterMs: row.retryAfterMs } });
    expect(tracker.connections).toHaveLength(requests);
    return;
  }
  expect(retry.ok).toBe(true);
  expect(tracker.connections).toHaveLength(requests + 1);
  // The chat endpoints take the whole visible conversation; the history endpoint takes the new message alone.
  const sent = tracker.last().body as { messages?: unknown[]; message?: unknown };
  expect(sent.message ?? sent.messages?.at(-1)).toEqual({ id: question.id, role: 'user', parts: [{ type: 'text', text: outcome.question }] });
  outcome.store.stop();
  if (retry.ok) await retry.done;
}
