import { messageText } from '../core/index.js';
import type { StoredMessage } from './conversation-store.js';
import { jsonResponse, SECURITY_HEADERS, SSE_HEADERS } from './http-response.js';
import { dataFrame, DONE_FRAME } from './sse-frames.js';

/**
 * The answer to a retried message whose answer is complete: no model call. JSON: `{ message, userMessage, usage? }`;
 * SSE: the ids frame, one `content` frame with the whole text, the usage and finish reason, then `[DONE]`.
 * @see docs/protocol.md, "Sending a message", rule 3
 */
export function replayAnswer(question: StoredMessage, answer: StoredMessage, stream: boolean, headers: Headers): Response {
  if (!stream) {
    return jsonResponse({ message: answer, userMessage: question, ...(answer.usage === undefined ? {} : { usage: answer.usage }) }, 200, headers);
  }
  const text = messageText(answer);
  const frames = [
    dataFrame({ messageId: answer.id, userMessageId: question.id }),
    ...(text === '' ? [] : [dataFrame({ content: text })]),
    dataFrame({
      ...(answer.usage === undefined ? {} : { usage: answer.usage }),
      ...(answer.finishReason === undefined ? {} : { finishReason: answer.finishReason }),
    }),
    DONE_FRAME,
  ];
  const all = new Headers(headers);
  for (const [name, value] of Object.entries({ ...SECURITY_HEADERS, ...SSE_HEADERS })) all.set(name, value);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(frame);
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: all });
}
