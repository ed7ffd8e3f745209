import { setupServer, type SetupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { loopbackOnly } from './loopback.js';

/** The frozen clock of every matrix test: whole seconds, so an HTTP-date `Retry-After` converts exactly. */
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/**
 * The MSW server of a matrix file: only loopback requests (a refused port) reach the network, handlers are reset
 * after each test, and MSW's clone of each mocked response is released. MSW keeps an unread clone of every mocked
 * response; a client's cancel then never reaches the handler's stream as a closed connection would, and the OpenAI
 * SDK, which awaits the cancel of a failed response, would wait for ever.
 */
export function setupFaultServer(): SetupServer {
  const server = setupServer();
  server.events.on('response:mocked', ({ response }) => {
    response.body?.cancel().catch(() => undefined);
  });
  beforeAll(() => server.listen({ onUnhandledRequest: loopbackOnly }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** Freezes `Date` at {@link T0} for each test (timers stay real until {@link runTimersOnFakeClock}). */
export function freezeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** Puts `setTimeout` on the frozen clock too, for a test that drives a timeout with `vi.advanceTimersByTimeAsync`. */
export function runTimersOnFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
}
