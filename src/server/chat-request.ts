import { z } from 'zod';
import { ChatError, characterCount } from '../core/index.js';

/**
 * Top-level fields a client may never send: the server owns the model and every generation parameter, so a page
 * cannot pick an expensive model, grant itself tools or bias the output. A body with any of them is 400.
 * @see docs/protocol.md, "Validation"
 */
export const REFUSED_REQUEST_FIELDS: readonly string[] = [
  'model', 'tools', 'tool_choice', 'parallel_tool_calls', 'functions', 'function_call', 'logit_bias', 'logprobs',
  'top_logprobs', 'n', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'frequency_penalty',
  'presence_penalty', 'seed', 'stop', 'response_format', 'reasoning_effort', 'service_tier',
];

/** Roles a trusted caller may opt in to, besides `user` and `assistant`. */
export type ElevatedRole = 'system' | 'developer';

/** One message of a validated request, reduced to what the model needs: its role and its text parts joined. */
export interface ChatTurnMessage {
  /** The client's id (its idempotency key); absent in the `{ role, content }` and `{ message }` shorthands. */
  id?: string;
  role: 'user' | 'assistant' | ElevatedRole;
  text: string;
}

/** A request body that passed validation: messages oldest first, the last one the user's non-blank message. */
export interface ParsedChatRequest {
  messages: ChatTurnMessage[];
  conversationId?: string;
}

/** The limits a {@link createChatRequestParser} enforces. */
export interface ChatRequestLimits {
  /** Longest user (or elevated) message, in Unicode code points, as core's `characterCount` counts. */
  maxInputLength: number;
  /** Roles accepted besides `user` and `assistant`. @defaultValue [] */
  allowRoles?: readonly ElevatedRole[];
}

const KNOWN_FIELDS = new Set(['messages', 'message', 'conversationId']);
const REFUSED = new Set(REFUSED_REQUEST_FIELDS);

/** One part: a text part must carry a string `text`; a part of an unknown type is accepted and contributes nothing. */
const partSchema = z
  .object({ type: z.string({ error: 'must be a string.' }), text: z.unknown().optional() }, { error: 'must be an object with a string "type".' })
  .superRefine((part, ctx) => {
    if (part.type === 'text' && typeof part.text !== 'string') ctx.addIssue({ code: 'custom', message: 'must be a string.', path: ['text'] });
  })
  .transform((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : ''));

const partsSchema = z.array(partSchema, { error: 'must be an array of parts (or send "content" as a string).' });

function messageSchema(roles: readonly [ChatTurnMessage['role'], ...ChatTurnMessage['role'][]]) {
  const allowed = roles.map((role) => `"${role}"`).join(', ');
  return z
    .object(
      {
        id: z.string({ error: 'must be a non-empty string.' }).min(1, { error: 'must be a non-empty string.' }).optional(),
        role: z.enum(roles, { error: (issue) => `must be one of ${allowed}, not ${preview(issue.input)}.` }),
        content: z.unknown().optional(),
        parts: z.unknown().optional(),
      },
      { error: 'must be an object.' },
    )
    .transform((message, ctx): ChatTurnMessage => {
      // The `{ role, content }` shorthand wins, as core's parseParts reads it.
      let text: string;
      if (typeof message.content === 'string') {
        text = message.content;
      } else {
        const parts = partsSchema.safeParse(message.parts);
        if (!parts.success) {
          for (const issue of parts.error.issues) {
            ctx.issues.push({ code: 'custom', message: issue.message, path: ['parts', ...issue.path], input: message.parts });
          }
          return z.NEVER;
        }
        text = parts.data.join('');
      }
      return { ...(message.id === undefined ? {} : { id: message.id }), role: message.role, text };
    });
}

function bodySchema(roles: readonly [ChatTurnMessage['role'], ...ChatTurnMessage['role'][]]) {
  return z.strictObject(
    {
      messages: z.array(messageSchema(roles), { error: 'must be an array.' }).min(1, { error: 'must not be empty.' }).optional(),
      message: z.string({ error: 'must be a string.' }).optional(),
      conversationId: z.string({ error: 'must be a string.' }).optional(),
    },
    {
      error: (issue) => {
        if (issue.code === 'unrecognized_keys') return unknownFieldsMessage(issue.keys);
        if (issue.code === 'invalid_type') return 'must be a JSON object.';
        return undefined;
      },
    },
  );
}

function unknownFieldsMessage(keys: readonly string[]): string {
  const refused = keys.find((key) => REFUSED.has(key));
  if (refused !== undefined) return `"${refused}" is chosen by the server and cannot be sent by the client.`;
  return `Unknown field ${preview(keys.find((key) => !KNOWN_FIELDS.has(key)))}.`;
}

/** A short, JSON-escaped rendering of a client value for an error message. */
function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : `${text === '' ? '' : '.'}${String(key)}`;
  return text;
}

function invalid(message: string): ChatError {
  return new ChatError('invalid_input', message, { status: 400 });
}

/** The message of the issue to report: a refused field first (it explains the most), then the first issue. */
function problemOf(issues: readonly z.core.$ZodIssue[]): string {
  const issue = issues.find((item) => item.code === 'unrecognized_keys') ?? issues[0];
  if (issue === undefined) return 'The request is not valid.';
  if (issue.code === 'unrecognized_keys') return issue.message;
  return issue.path.length === 0 ? `The request body ${issue.message}` : `${pathText(issue.path)} ${issue.message}`;
}

/**
 * Builds the validator of chat request bodies (a zod schema plus the protocol's rules that span messages), once per
 * handler. The returned function throws a {@link ChatError}: 400 `invalid_input` for a body that is not a JSON object,
 * `messages` missing or empty, a malformed message or part, a role other than `user`/`assistant` (unless allowed),
 * a last message that is not the user's or is blank, an unknown top-level field or one of
 * {@link REFUSED_REQUEST_FIELDS}; 413 `message_too_long` for a user message over `maxInputLength` code points.
 * Accepts the `{ message: "text" }` and `{ role, content }` shorthands; parts of unknown types are ignored.
 * Only known keys are copied out, so `__proto__` or `constructor` keys in a body reach nothing.
 *
 * @example
 * const parse = createChatRequestParser({ maxInputLength: 4000 });
 * const { messages } = parse(await readJsonBody(request, 256 * 1024));
 * @see docs/protocol.md, "Validation"
 */
export function createChatRequestParser(limits: ChatRequestLimits): (body: unknown) => ParsedChatRequest {
  const roles = ['user', 'assistant', ...(limits.allowRoles ?? [])] as const;
  const schema = bodySchema(roles);
  return (body) => {
    const result = schema.safeParse(body);
    if (!result.success) throw invalid(problemOf(result.error.issues));
    const { messages: given, message, conversationId } = result.data;
    const messages = given ?? (message === undefined ? undefined : [{ role: 'user' as const, text: message }]);
    if (messages === undefined) throw invalid('The request needs "messages".');
    const last = messages[messages.length - 1];
    if (last?.role !== 'user') throw invalid('The last message must be from the user.');
    if (last.text.trim().length === 0) throw invalid('The message is empty.');
    for (const { role, text } of messages) {
      // UTF-16 length is never below the code point count, so most messages skip the count.
      if (role !== 'assistant' && text.length > limits.maxInputLength && characterCount(text) > limits.maxInputLength) {
        throw new ChatError('message_too_long', `A message can be at most ${limits.maxInputLength} characters.`, { status: 413 });
      }
    }
    return { messages, ...(conversationId === undefined ? {} : { conversationId }) };
  };
}
