import type { SetupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createMockServer } from 'colloquy/mocks/node';

/**
 * An MSW server with the kit's default handlers for this test file, failing on any unhandled request, and the list
 * of every request it saw (emptied after each test).
 */
export function setupRecordingServer(): { server: SetupServer; requests: Request[] } {
  const server = createMockServer();
  const requests: Request[] = [];
  beforeAll(() => {
    server.listen({ onUnhandledRequest: 'error' });
    server.events.on('request:start', ({ request }) => {
      requests.push(request);
    });
  });
  afterEach(() => {
    server.resetHandlers();
    requests.length = 0;
  });
  afterAll(() => server.close());
  return { server, requests };
}
