import { messageText, parseParts } from '../src/core/index.js';

/**
 * Top-level request fields a client may not send: the server owns the model and every generation parameter, so a
 * page cannot pick an expensive model, grant itself tools, or bias the output. A body with any of them is 400.
 * @see docs/protocol.md, "Request"
 */
export const REJECTED_REQUEST_FIELDS: readonly string[] = [
  'model',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'functions',
  'function_call',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'n',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'frequency_penalty',
  'presence_penalty',
  'seed',
  'stop',
  'response_format',
  'reasoning_effort',
  'service_tier',
];

/** One message of a validated request, reduced to what the mock needs. */
export interface MockChatMessage {
  /** The client's id (its idempotency key); absent in the `{ role, content }` and `{ message }` shorthands. */
  id?: string;
  role: 'user' | 'assistant';
  text: string;
}

/** A request body that passed validation. */
export interface ValidChatRequest {
  messages: MockChatMessage[];
  /** The text of the last (user) message. */
  prompt: string;
  conversationId?: string;
}

/** Why a request body was refused: the protocol code and a message for the error body. */
export interface ChatRequestProblem {
  code: 'invalid_input' | 'message_too_long';
  message: string;
}

/** The outcome of {@link parseChatRequest}. */
export type ChatRequestResult = { ok: true; request: ValidChatRequest } | { ok: false; problem: ChatRequestProblem };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): ChatRequestResult {
  return { ok: false, problem: { code: 'invalid_input', message } };
}

/** Length in code points, so an emoji counts as one character; cheap when the UTF-16 length is already within. */
function codePointLength(text: string, max: number): number {
  return text.length <= max ? text.length : Array.from(text).length;
}

/**
 * Validates a chat request body as a protocol server does: a JSON object with a non-empty `messages` array (or the
 * seed's `{ message: "text" }`), messages as `{ id, role, parts }` or the `{ role, content }` shorthand, roles `user`
 * and `assistant` only, the last message from the user and not blank, each user message at most `maxInputLength`
 * code points (413 `message_too_long`), and none of {@link REJECTED_REQUEST_FIELDS}.
 *
 * @example
 * const result = parseChatRequest(await request.json().catch(() => undefined), { maxInputLength: 4000 });
 * if (!result.ok) return errorResponse(result.problem.code, { message: result.problem.message });
 */
export function parseChatRequest(body: unknown, options: { maxInputLength: number }): ChatRequestResult {
  if (!isRecord(body)) return invalid('The request body must be a JSON object.');
  const rejected = REJECTED_REQUEST_FIELDS.find((field) => Object.hasOwn(body, field));
  if (rejected !== undefined) return invalid(`"${rejected}" is chosen by the server and cannot be sent by the client.`);

  let raw: unknown[];
  if (body.messages !== undefined) {
    if (!Array.isArray(body.messages)) return invalid('"messages" must be an array.');
    raw = body.messages;
  } else if (typeof body.message === 'string') {
    raw = [{ role: 'user', content: body.message }];
  } else {
    return invalid('The request needs "messages".');
  }
  if (raw.length === 0) return invalid('"messages" must not be empty.');

  const messages: MockChatMessage[] = [];
  for (const [index, value] of raw.entries()) {
    if (!isRecord(value)) return invalid(`messages[${index}] must be an object.`);
    const { id, role } = value;
    if (role !== 'user' && role !== 'assistant') {
      return invalid(`messages[${index}] has role ${JSON.stringify(role)}; clients may send "user" and "assistant" only.`);
    }
    if (id !== undefined && (typeof id !== 'string' || id.length === 0)) {
      return invalid(`messages[${index}].id must be a non-empty string.`);
    }
    const parts = parseParts(value);
    if (parts === undefined) return invalid(`messages[${index}] needs "parts" (or a "content" string).`);
    messages.push({ ...(id === undefined ? {} : { id }), role, text: messageText({ parts }) });
  }

  const last = messages[messages.length - 1];
  if (last?.role !== 'user') return invalid('The last message must be from the user.');
  if (last.text.trim().length === 0) return invalid('The message is empty.');
  for (const message of messages) {
    if (message.role === 'user' && codePointLength(message.text, options.maxInputLength) > options.maxInputLength) {
      return {
        ok: false,
        problem: { code: 'message_too_long', message: `A message can be at most ${options.maxInputLength} characters.` },
      };
    }
  }

  const { conversationId } = body;
  if (conversationId !== undefined && typeof conversationId !== 'string') {
    return invalid('"conversationId" must be a string.');
  }
  return {
    ok: true,
    request: { messages, prompt: last.text, ...(conversationId === undefined ? {} : { conversationId }) },
  };
}
