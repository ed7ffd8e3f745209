import { z } from 'zod';
import { ChatError, type MessagePart } from '../core/index.js';
import type { ChatRuntime } from './chat-runtime.js';
import { DEFAULT_CONVERSATIONS_LIMIT, DEFAULT_MESSAGES_LIMIT, MAX_PAGE_LIMIT, type PageOptions } from './conversation-store.js';
import { readJsonBody } from './json-body.js';

/** A user message the send endpoint accepted, ready for `insertUserMessage`. */
export interface SendInput {
  /** The client's id (the idempotency key); absent in the `{ role, content }` shorthand. */
  id: string | undefined;
  /** As stored: text parts reduced to `{ type, text }`, parts of other types untouched. */
  parts: MessagePart[];
  parentId: string | null | undefined;
  /** The message's text, for logs. */
  text: string;
}

function invalid(message: string): ChatError {
  return new ChatError('invalid_input', message, { status: 400 });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parts as stored: the client's `state` of a text part is not the message's content, so two retries compare equal. */
function storedParts(message: Record<string, unknown>): MessagePart[] {
  if (typeof message.content === 'string') return [{ type: 'text', text: message.content }];
  // Already validated by the chat parser: an array of objects with a string `type`, text parts with a string `text`.
  const parts = Array.isArray(message.parts) ? (message.parts as Array<{ type: string; [key: string]: unknown }>) : [];
  return parts.map((part) => (part.type === 'text' ? { type: 'text', text: part.text } : part));
}

/**
 * Validates `{ message: { id, role: "user", parts, parentId? } }` with the chat endpoints' parser (the same
 * refused fields, roles, lengths and unknown-field rule), then the history rules: only `user`, no client history.
 * @see docs/protocol.md, "Sending a message", rule 1
 */
export function parseSendBody(runtime: ChatRuntime, body: unknown): SendInput {
  if (!isRecord(body) || !isRecord(body.message)) throw invalid('The request needs a "message" object.');
  // The server owns the history: a client-sent one could rewrite what the model is told was said.
  if (Object.hasOwn(body, 'messages')) throw invalid('Send one "message": the server holds the conversation’s history.');
  const { message, ...rest } = body;
  const parsed = runtime.parse({ ...rest, messages: [message] });
  const [turn] = parsed.messages;
  if (turn?.role !== 'user') throw invalid('Only user messages can be sent.');
  const { parentId } = message;
  if (parentId !== undefined && parentId !== null && (typeof parentId !== 'string' || parentId === '')) {
    throw invalid('"parentId" must be a message id or null.');
  }
  return { id: turn.id, parts: storedParts(message), parentId, text: turn.text };
}

const createSchema = z.strictObject({ id: z.string().min(1).optional(), title: z.string().optional() });
const renameSchema = z.strictObject({ title: z.string() });

/** Reads a JSON body with `schema`; anything else is 400 with the first problem. */
async function readBody<T>(request: Request, maxBytes: number, schema: z.ZodType<T>, what: string): Promise<T> {
  const result = schema.safeParse(await readJsonBody(request, maxBytes));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue?.code === 'unrecognized_keys') throw invalid(`Unknown field "${issue.keys[0] ?? ''}".`);
  const field = issue?.path.join('.') ?? '';
  throw invalid(field === '' ? `The body must be ${what}.` : `"${field}" is not valid.`);
}

/** `POST /conversations`: `{ id?, title? }` (the store checks the title's length and the id's form). */
export function readCreateBody(request: Request, maxBytes: number): Promise<{ id?: string; title?: string }> {
  return readBody(request, maxBytes, createSchema, 'a JSON object such as {"title":"…"}');
}

/** `PATCH /conversations/:id`: `{ title }`. */
export function readRenameBody(request: Request, maxBytes: number): Promise<{ title: string }> {
  return readBody(request, maxBytes, renameSchema, 'a JSON object with a "title"');
}

/**
 * The page a list request asks for: `cursor` as given (the store refuses an unreadable one with 400), `limit` a
 * positive integer, capped at 200 as the protocol allows; absent, the endpoint's default.
 * @see docs/protocol.md, "Endpoints"
 */
export function readPage(request: Request, resource: 'conversations' | 'messages'): Required<PageOptions> {
  const params = new URL(request.url).searchParams;
  const raw = params.get('limit');
  let limit = resource === 'conversations' ? DEFAULT_CONVERSATIONS_LIMIT : DEFAULT_MESSAGES_LIMIT;
  if (raw !== null) {
    if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw invalid(`"limit" must be an integer from 1 to ${MAX_PAGE_LIMIT}.`);
    limit = Math.min(Number(raw), MAX_PAGE_LIMIT);
  }
  return { cursor: params.get('cursor'), limit };
}

/** True when the client asked for server-sent events (`Accept: text/event-stream`); otherwise it gets JSON. */
export function wantsEventStream(request: Request): boolean {
  return (request.headers.get('accept') ?? '')
    .split(',')
    .some((range) => {
      const [type, ...params] = range.split(';').map((item) => item.trim().toLowerCase());
      return type === 'text/event-stream' && !params.some((param) => /^q=0(\.0*)?$/.test(param));
    });
}
