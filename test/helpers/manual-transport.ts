import { ChatError, type ChatEvent, type ChatRequest, type ChatTransport } from 'colloquy/core';

/** One call the store made, driven by the test: push events, fail it, or end it. */
export interface ManualCall {
  request: ChatRequest;
  signal: AbortSignal;
  push: (...events: ChatEvent[]) => void;
  fail: (error: unknown) => void;
  end: () => void;
}

/**
 * A ChatTransport the test steps by hand, built on the public interface (any user can write one),
 * so state-machine rules can be checked at exact points of a turn without timers.
 */
export function createManualTransport(): ChatTransport & { calls: ManualCall[] } {
  const calls: ManualCall[] = [];
  return {
    calls,
    send(request, { signal }) {
      const queue: Array<{ event?: ChatEvent; error?: unknown; end?: true }> = [];
      let wake: (() => void) | undefined;
      const enqueue = (item: (typeof queue)[number]) => {
        queue.push(item);
        wake?.();
      };
      calls.push({
        request,
        signal,
        push: (...events) => events.forEach((event) => enqueue({ event })),
        fail: (error) => enqueue({ error }),
        end: () => enqueue({ end: true }),
      });
      signal.addEventListener('abort', () => enqueue({ error: new ChatError('aborted', 'aborted') }));
      return {
        async *[Symbol.asyncIterator]() {
          for (;;) {
            while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
            const item = queue.shift()!;
            if (item.error !== undefined) throw item.error;
            if (item.end) return;
            yield item.event!;
          }
        },
      };
    },
  };
}

/** Lets pending promise callbacks (the store's for-await loop, a few hops per event) run to quiescence. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 1_000; i++) await Promise.resolve();
}
