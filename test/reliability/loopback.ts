import { createServer } from 'node:net';
import type { UnhandledRequestStrategy } from 'msw';

/**
 * The origin of a loopback port nothing listens on: a server takes a free port from the OS, then closes, so a
 * connection to it is refused (`ECONNREFUSED`) by the kernel rather than failed by a mock.
 */
export async function refusedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('No TCP address.');
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return `http://127.0.0.1:${address.port}`;
}

/**
 * MSW's `onUnhandledRequest`: requests to 127.0.0.1 go to the real network (the refused port), any other unhandled
 * request fails the test, so nothing leaves the machine.
 */
export const loopbackOnly: UnhandledRequestStrategy = (request, print) => {
  if (new URL(request.url).hostname !== '127.0.0.1') print.error();
};

/** The `code` of the first error in `error`'s `cause` chain that has one (`ECONNREFUSED` from undici). */
export function systemErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}
