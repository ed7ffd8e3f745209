import { isRecord } from './is-record.js';
import { isTextPart, type ChatMessage, type ChatRole, type MessagePart, type UnknownPart, type Usage } from './message.js';
import type { ChatRequest } from './transport.js';

/** A text part on the wire: no `state`, which only the client tracks. */
export interface WireTextPart {
  type: 'text';
  text: string;
}

/** A message as it travels in request bodies: the protocol's `{ id, role, parts }`. */
export interface WireMessage {
  id: string;
  role: ChatRole;
  parts: Array<WireTextPart | UnknownPart>;
}

/** The JSON body the client transports POST. @see docs/protocol.md */
export interface WireChatRequest {
  messages: WireMessage[];
  conversationId?: string;
  [extra: string]: unknown;
}

/**
 * Strips client-only fields (status, timestamps, a text part's `state`) so only the protocol's shape leaves the
 * browser. Parts of unknown types travel untouched.
 */
export function toWireMessage(message: ChatMessage): WireMessage {
  const parts = message.parts.map((part): WireTextPart | UnknownPart => (isTextPart(part) ? { type: 'text', text: part.text } : part));
  return { id: message.id, role: message.role, parts };
}

/** Builds the request body; `body` extras go first so they can never overwrite `messages`. */
export function toWireRequest(request: ChatRequest): WireChatRequest {
  return {
    ...request.body,
    messages: request.messages.map(toWireMessage),
    ...(request.conversationId === undefined ? {} : { conversationId: request.conversationId }),
  };
}

function finiteCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Reads token usage from the kit's camelCase shape or OpenAI's snake_case one; `undefined` when neither fits.
 */
export function parseUsage(value: unknown): Usage | undefined {
  if (!isRecord(value)) return undefined;
  const promptTokens = finiteCount(value.promptTokens ?? value.prompt_tokens);
  const completionTokens = finiteCount(value.completionTokens ?? value.completion_tokens);
  const totalTokens = finiteCount(value.totalTokens ?? value.total_tokens);
  if (promptTokens === undefined && completionTokens === undefined && totalTokens === undefined) return undefined;
  const prompt = promptTokens ?? 0;
  const completion = completionTokens ?? 0;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: totalTokens ?? prompt + completion };
}

/**
 * Reads message parts from the wire: an array of parts (unknown types kept as they are), or the seed's
 * `content` string shorthand (one text part). `undefined` when the value is neither.
 */
export function parseParts(value: unknown): MessagePart[] | undefined {
  if (typeof value === 'string') return [{ type: 'text', text: value, state: 'done' }];
  if (!isRecord(value)) return undefined;
  if (typeof value.content === 'string') return [{ type: 'text', text: value.content, state: 'done' }];
  if (!Array.isArray(value.parts)) return undefined;
  const parts: MessagePart[] = [];
  for (const part of value.parts) {
    if (!isRecord(part) || typeof part.type !== 'string') return undefined;
    if (part.type === 'text') {
      if (typeof part.text !== 'string') return undefined;
      parts.push({ type: 'text', text: part.text, state: 'done' });
    } else {
      parts.push(part as MessagePart);
    }
  }
  return parts;
}
