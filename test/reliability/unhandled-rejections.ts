import { afterAll, beforeAll, beforeEach } from 'vitest';

/**
 * Collects every promise rejection nobody handled while this file's tests run (a process `unhandledRejection`
 * listener), emptied before each test, so a test can assert none happened during its own fault.
 */
export function watchUnhandledRejections(): { readonly reasons: unknown[] } {
  const reasons: unknown[] = [];
  const listener = (reason: unknown): void => {
    reasons.push(reason);
  };
  beforeAll(() => {
    process.on('unhandledRejection', listener);
  });
  beforeEach(() => {
    reasons.length = 0;
  });
  afterAll(() => {
    process.off('unhandledRejection', listener);
  });
  return { reasons };
}

/**
 * Lets the event loop turn `rounds` times (macrotasks, not timers: fake timers leave `setImmediate` real) so that
 * pending I/O callbacks run and Node reports any rejection that stayed unhandled. Stops early once `until` holds.
 */
export async function settle(until: () => boolean = () => false, rounds = 50): Promise<void> {
  for (let round = 0; round < rounds && !until(); round++) await new Promise((resolve) => setImmediate(resolve));
}
