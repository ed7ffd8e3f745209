import { useState } from 'react';
import { createJsonTransport, type JsonTransportOptions } from '../core/index.js';
import { useChat, type UseChatOptions } from '../react/index.js';
import { ChatView, type ChatViewProps } from './chat-view.js';

/** Props of {@link ChatSimple}. */
export interface ChatSimpleProps extends Omit<ChatViewProps, 'chat'> {
  /** The JSON endpoint. @defaultValue '/api/chat' */
  url?: string;
  /** More options for the JSON transport (headers, fetch). Read once, on mount. */
  transportOptions?: Omit<JsonTransportOptions, 'url'>;
  /** Options for the chat store. Read once, on mount; callbacks stay live. */
  chatOptions?: Omit<UseChatOptions, 'transport'>;
}

/**
 * A request-and-answer chat over the protocol's JSON endpoint (the guide's Pattern 1): one request per message,
 * the whole answer at once.
 *
 * @example
 * <ChatSimple url="/api/chat" placeholder="Ask anything" />
 */
export function ChatSimple({ url = '/api/chat', transportOptions, chatOptions, ...props }: ChatSimpleProps) {
  const [transport] = useState(() => createJsonTransport({ ...transportOptions, url }));
  const chat = useChat({ ...chatOptions, transport });
  return <ChatView chat={chat} {...props} />;
}
