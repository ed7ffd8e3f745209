import { ChatError } from '../core/index.js';

/** Names one answer: its owner, conversation and message id. */
export interface AnswerKey {
  ownerId: string;
  conversationId: string;
  messageId: string;
}

/** One generation of an answer in this process. */
export interface LiveAnswer {
  /** Aborts when the user stops the answer or a newer generation of it starts: pass it on to the upstream call. */
  readonly signal: AbortSignal;
  /** True once a newer generation of the same answer started: this one must not write any more. */
  readonly superseded: boolean;
  /** True when the user stopped this answer (the stop may have come before its row existed). */
  stopped(): boolean;
  /** Called once the generation wrote its last row: a waiting stop call then answers. */
  end(): void;
}

/**
 * Answers being generated in this process, and stops remembered for a short while. A stop can reach the server
 * before the answer's row exists (the first delta is still being written) or before the disconnect it causes is
 * noticed; the generation reads {@link LiveAnswer.stopped} when it writes its final row, so the answer ends
 * `cancelled` whatever the order. The memory is per process: with several instances, a stop that lands on another
 * one still cancels the stored row (the store's `cancelAnswer`), but not a row that did not exist yet.
 */
export interface LiveAnswers {
  /**
   * Starts a generation of `key` answering the user message `questionId`: a running generation of the same answer
   * is aborted and superseded, and an earlier stop of it is forgotten.
   */
  begin(key: AnswerKey, questionId: string): LiveAnswer;
  /** The id of the answer being generated here for the user message `questionId`, if any (a retry reuses it). */
  answering(ownerId: string, conversationId: string, questionId: string): string | undefined;
  /**
   * Records that the user stopped `key` and aborts its generation here, if any; resolves once that generation wrote
   * its last row (or after `settleMs`), so the caller's `cancelAnswer` comes after it.
   */
  stop(key: AnswerKey): Promise<void>;
}

/** Options of {@link createLiveAnswers}. */
export interface LiveAnswersOptions {
  /** How long a stop is remembered. @defaultValue 300_000 (5 minutes) */
  stopMemoryMs?: number;
  /** Longest wait of a stop call for the generation it aborted. @defaultValue 500 */
  settleMs?: number;
  /** Most stops remembered at once; the oldest are forgotten first. @defaultValue 10_000 */
  maxStops?: number;
  /** Clock, for tests. @defaultValue `Date.now` */
  now?: () => number;
}

interface Generation extends LiveAnswer {
  readonly messageId: string;
  /** Aborts the generation; `supersede` also stops its writes (a newer generation owns the row). */
  abort(reason: ChatError, supersede: boolean): void;
  readonly settled: Promise<void>;
}

function keyOf({ ownerId, conversationId, messageId }: AnswerKey): string {
  return JSON.stringify([ownerId, conversationId, messageId]);
}

/** Creates the registry of one handler set. */
export function createLiveAnswers(options: LiveAnswersOptions = {}): LiveAnswers {
  const { stopMemoryMs = 300_000, settleMs = 500, maxStops = 10_000, now = Date.now } = options;
  const running = new Map<string, Generation>();
  const byQuestion = new Map<string, Generation>();
  // Insertion order is expiry order: every entry lives stopMemoryMs from its insertion.
  const stops = new Map<string, number>();

  const prune = (): void => {
    const time = now();
    for (const [key, expiresAt] of stops) {
      if (expiresAt > time && stops.size <= maxStops) break;
      stops.delete(key);
    }
  };
  const isStopped = (key: string): boolean => {
    prune();
    return stops.has(key);
  };

  return {
    begin(answer, questionId) {
      const key = keyOf(answer);
      const questionKey = keyOf({ ...answer, messageId: questionId });
      running.get(key)?.abort(new ChatError('aborted', 'A newer generation of this answer started.'), true);
      stops.delete(key);
      const controller = new AbortController();
      let superseded = false;
      let resolveSettled = (): void => undefined;
      const settled = new Promise<void>((resolve) => (resolveSettled = resolve));
      const generation: Generation = {
        messageId: answer.messageId,
        signal: controller.signal,
        get superseded() {
          return superseded;
        },
        stopped: () => isStopped(key),
        end() {
          if (running.get(key) === generation) running.delete(key);
          if (byQuestion.get(questionKey) === generation) byQuestion.delete(questionKey);
          resolveSettled();
        },
        abort(reason, supersede) {
          if (supersede) superseded = true;
          controller.abort(reason);
        },
        settled,
      };
      running.set(key, generation);
      byQuestion.set(questionKey, generation);
      return generation;
    },

    answering(ownerId, conversationId, questionId) {
      return byQuestion.get(keyOf({ ownerId, conversationId, messageId: questionId }))?.messageId;
    },

    async stop(answer) {
      const key = keyOf(answer);
      stops.delete(key);
      stops.set(key, now() + stopMemoryMs);
      prune();
      const generation = running.get(key);
      if (generation === undefined) return;
      // Not superseded: the stopped generation still writes its last row, as `cancelled`.
      generation.abort(new ChatError('aborted', 'The user stopped the answer.'), false);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([generation.settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, settleMs)))]);
      clearTimeout(timer);
    },
  };
}
