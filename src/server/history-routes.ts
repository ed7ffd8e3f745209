import type { HistoryOperation } from './chat-options.js';

/** A history endpoint named by a request's path, with the ids it carries (decoded). */
export type HistoryRoute =
  | { resource: 'conversations' }
  | { resource: 'conversation'; conversationId: string }
  | { resource: 'messages'; conversationId: string }
  | { resource: 'stop'; conversationId: string; messageId: string };

/** The four resources of the history endpoints. */
export type HistoryResource = HistoryRoute['resource'];

/** The endpoint each resource answers per method. @see docs/protocol.md, "Endpoints" */
export const HISTORY_OPERATIONS: Readonly<Record<HistoryResource, Readonly<Record<string, HistoryOperation>>>> = {
  conversations: { GET: 'list', POST: 'create' },
  conversation: { GET: 'get', PATCH: 'rename', DELETE: 'delete' },
  messages: { GET: 'messages', POST: 'send' },
  stop: { POST: 'stop' },
};

/** Every method some history endpoint answers, for CORS. */
export const HISTORY_METHODS: readonly string[] = ['GET', 'POST', 'PATCH', 'DELETE'];

/**
 * Checks and normalises the path the endpoints are mounted at: it must start with `/`; trailing slashes go.
 * @throws TypeError for anything else (a startup error, not a request's).
 */
export function normalizeBasePath(basePath: string): string {
  if (typeof basePath !== 'string' || !basePath.startsWith('/') || basePath.includes('?') || basePath.includes('#')) {
    throw new TypeError(`basePath must be a URL path such as '/api/conversations', not ${JSON.stringify(basePath)}.`);
  }
  return basePath.replace(/\/+$/, '');
}

function decode(segment: string): string | undefined {
  if (segment === '') return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The endpoint `url` names below `basePath` (as {@link normalizeBasePath} returns it), or `null` when it names
 * none: another path, an empty or badly encoded segment, or a shape the protocol does not define. Ids are
 * percent-decoded, so `/conversations/c%2F1` names the conversation `c/1` (the client encodes every id).
 *
 * @example
 * matchHistoryRoute('https://app.test/api/conversations/c1/messages/a2/stop', '/api/conversations');
 * // { resource: 'stop', conversationId: 'c1', messageId: 'a2' }
 */
export function matchHistoryRoute(url: string, basePath: string): HistoryRoute | null {
  const { pathname } = new URL(url);
  if (pathname === basePath || pathname === `${basePath}/`) return { resource: 'conversations' };
  if (!pathname.startsWith(`${basePath}/`)) return null;
  const raw = pathname.slice(basePath.length + 1).replace(/\/$/, '').split('/');
  const segments = raw.map(decode);
  if (segments.some((segment) => segment === undefined)) return null;
  const [conversationId, second, messageId, fourth] = segments as string[];
  if (conversationId === undefined) return null;
  // The literal segments are compared as sent: `messages` and `stop` are never encoded.
  if (raw.length === 1) return { resource: 'conversation', conversationId };
  if (raw.length === 2 && raw[1] === 'messages' && second !== undefined) return { resource: 'messages', conversationId };
  if (raw.length === 4 && raw[1] === 'messages' && raw[3] === 'stop' && messageId !== undefined && fourth !== undefined) {
    return { resource: 'stop', conversationId, messageId };
  }
  return null;
}
