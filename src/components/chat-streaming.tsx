import { useState } from 'react';
import { createSseTransport, type SseTransportOptions } from '../core/index.js';
import { useChat, type UseChatOptions } from '../react/index.js';
import { ChatView, type ChatViewProps } from './chat-view.js';

/** Props of {@link ChatStreaming}. */
export interface ChatStreamingProps extends Omit<ChatViewProps, 'chat'> {
  /** The SSE endpoint. @defaultValue '/api/chat/stream' */
  url?: string;
  /** More options for the SSE transport (headers, idle timeout, fetch). Read once, on mount. */
  transportOptions?: Omit<SseTransportOptions, 'url'>;
  /** Options for the chat store (system prompt, limits, callbacks). Read once, on mount; callbacks stay live. */
  chatOptions?: Omit<UseChatOptions, 'transport'>;
}

/**
 * A streaming chat over the protocol's SSE endpoint (the guide's Pattern 2): tokens appear as they arrive, Stop or
 * Escape cancels and keeps the partial answer.
 *
 * @example
 * <ChatStreaming url="/api/chat/stream" title="Support" starterPrompts={['Where is my order?']} />
 */
export function ChatStreaming({ url = '/api/chat/stream', transportOptions, chatOptions, ...props }: ChatStreamingProps) {
  const [transport] = useState(() => createSseTransport({ ...transportOptions, url }));
  const chat = useChat({ ...chatOptions, transport });
  return <ChatView chat={chat} {...props} />;
}
