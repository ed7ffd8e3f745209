import type { AnyHandler } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';
import { chatHandlers } from './chat-handlers.js';

/**
 * An MSW server for Node (tests, scripts) with the given handlers first and the protocol's default chat handlers
 * after them, so yours win where both match and everything else still speaks the protocol.
 *
 * @example
 * const server = createMockServer(http.post('http://localhost/api/chat', () => HttpResponse.json({ message: 'Hi' })));
 * beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
 */
export function createMockServer(...handlers: AnyHandler[]): SetupServer {
  return setupServer(...handlers, ...chatHandlers);
}

/**
 * A ready MSW server with the default chat handlers; call `server.listen()` to start it and `server.use()` to
 * override a scenario per test.
 *
 * @example
 * beforeAll(() => server.listen());
 * afterEach(() => server.resetHandlers());
 * afterAll(() => server.close());
 */
export const server: SetupServer = createMockServer();
