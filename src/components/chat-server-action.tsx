import { useEffect, useRef, useState } from 'react';
import { createFunctionTransport, toWireRequest, type FunctionTransportResult, type WireChatRequest } from '../core/index.js';
import { useChat, type UseChatOptions } from '../react/index.js';
import { ChatView, type ChatViewProps } from './chat-view.js';

/**
 * A server action as the chat calls it. It receives the protocol's JSON body (plain, serialisable data: an abort
 * signal cannot cross the network boundary) and returns a typed result rather than throwing.
 */
export type ChatServerActionFn = (request: WireChatRequest) => Promise<FunctionTransportResult>;

/** Props of {@link ChatServerAction}. */
export interface ChatServerActionProps extends Omit<ChatViewProps, 'chat'> {
  /** The `'use server'` function that answers, e.g. one made with `createChatAction` from `colloquy/server`. */
  action: ChatServerActionFn;
  /** Options for the chat store. Read once, on mount; callbacks stay live. */
  chatOptions?: Omit<UseChatOptions, 'transport'>;
}

/**
 * A chat answered by a Next.js server action (the guide's Pattern 3), through `createFunctionTransport`.
 * Stop cancels on the client: the action's answer, if it still arrives, is ignored.
 *
 * @example
 * import { chatAction } from './actions';
 * <ChatServerAction action={chatAction} />
 */
export function ChatServerAction({ action, chatOptions, ...props }: ChatServerActionProps) {
  const latest = useRef(action);
  useEffect(() => {
    latest.current = action;
  });
  // The transport reads `latest` only when a message is sent, never during render.
  // eslint-disable-next-line react-hooks/refs
  const [transport] = useState(() => createFunctionTransport((request) => latest.current(toWireRequest(request))));
  const chat = useChat({ ...chatOptions, transport });
  return <ChatView chat={chat} {...props} />;
}
