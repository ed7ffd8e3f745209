import { useState } from 'react';
import { createSseTransport } from '../core/index.js';
import { useChat, useChatConfig, type UseChatOptions } from '../react/index.js';
import { ChatView, type ChatViewProps } from './chat-view.js';

/** Props of {@link Chat}. */
export interface ChatProps extends Omit<ChatViewProps, 'chat' | 'title' | 'welcomeMessage' | 'placeholder'> {
  title?: string;
  welcomeMessage?: string;
  placeholder?: string;
  /** Options for the chat store; each falls back to the nearest `ChatProvider`. Read once, on mount. */
  chatOptions?: UseChatOptions;
}

/**
 * The drop-in chat: everything from the nearest `ChatProvider` (transport, labels, theme, title, welcome message,
 * starter prompts, placeholder), each overridable by a prop. Without a provider transport it streams from
 * `/api/chat/stream`. Loads nothing from a CDN.
 *
 * @example
 * <ChatProvider transport={createSseTransport({ url: '/api/chat/stream' })} title="Assistant"
 *   welcomeMessage="Ask me anything." starterPrompts={['What can you do?']}>
 *   <Chat />
 * </ChatProvider>
 */
export function Chat({ title, welcomeMessage, placeholder, starterPrompts, chatOptions, ...props }: ChatProps) {
  const config = useChatConfig();
  const [fallback] = useState(() => (config.transport ? undefined : createSseTransport({ url: '/api/chat/stream' })));
  const chat = useChat({ ...(fallback ? { transport: fallback } : {}), ...chatOptions });
  return (
    <ChatView
      chat={chat}
      title={title ?? config.title}
      welcomeMessage={welcomeMessage ?? config.welcomeMessage}
      starterPrompts={starterPrompts ?? config.starterPrompts}
      placeholder={placeholder ?? config.placeholder}
      {...props}
    />
  );
}
