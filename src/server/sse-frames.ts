import type { ChatError } from '../core/index.js';

const encoder = new TextEncoder();

/** `data: <json>` then a blank line. JSON escapes newlines, so the payload always fits on one `data:` line. */
export function dataFrame(value: unknown): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(value)}\n\n`);
}

/**
 * One `data: {"content"}` frame per delta, as one chunk: the bytes of `dataFrame({ content })` for each, encoded at
 * once, so a network read of many deltas costs one write.
 */
export function contentFrames(contents: readonly string[]): Uint8Array {
  let frames = '';
  for (const content of contents) frames += `data: {"content":${JSON.stringify(content)}}\n\n`;
  return encoder.encode(frames);
}

/** The comment that keeps proxies and the client's idle timer from closing a quiet stream. */
export const HEARTBEAT_FRAME: Uint8Array = encoder.encode(': heartbeat\n\n');

/** The sentinel that ends a successful stream, exactly `[DONE]`. */
export const DONE_FRAME: Uint8Array = encoder.encode('data: [DONE]\n\n');

/** `event: error` with `{ code, message, retryAfterMs? }`: a failure after the `200`; nothing follows it. */
export function errorFrame(error: ChatError): Uint8Array {
  const payload = {
    code: error.code,
    message: error.message,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
  return encoder.encode(`event: error\ndata: ${JSON.stringify(payload)}\n\n`);
}
