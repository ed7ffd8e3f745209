import type { AnyHandler } from 'msw';
import { setupWorker, type SetupWorker } from 'msw/browser';
import { chatHandlers } from './chat-handlers.js';

/**
 * An MSW service worker for the browser (demo pages, manual testing) with the given handlers first and the
 * protocol's default chat handlers after them. The app must serve `mockServiceWorker.js` (`npx msw init public`).
 *
 * @example
 * await createMockWorker(createChatHandlers({ fault: 'stream_cut' }).stream).start();
 */
export function createMockWorker(...handlers: AnyHandler[]): SetupWorker {
  return setupWorker(...handlers, ...chatHandlers);
}

/**
 * A ready MSW worker with the default chat handlers; `await worker.start()` before the app's first request.
 *
 * @example
 * await worker.start({ onUnhandledRequest: 'bypass' });
 */
export const worker: SetupWorker = createMockWorker();
