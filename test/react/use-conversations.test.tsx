import { act, renderHook, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import {
  ChatProvider,
  createConversationStore,
  createHistoryTransport,
  messageText,
  useConversationChat,
  useConversations,
  type ConversationStore,
  type UseConversationsOptions,
} from 'colloquy';
import { createHistoryDb, createHistoryHandlers, type HistoryDb, type HistoryHandlerOptions } from 'colloquy/mocks';
import { setupRecordingServer } from '../helpers/recording-server.js';

const BASE = 'http://localhost/api';
const REPLY = 'one two three four five six seven eight';
const { server, requests } = setupRecordingServer();

function mock(options: HistoryHandlerOptions = {}): HistoryDb {
  const db = options.db ?? createHistoryDb({ now: () => new Date('2025-04-01T12:00:00.000Z') });
  server.use(...Object.values(createHistoryHandlers({ tokensPerSecond: Infinity, reply: REPLY, ...options, db })));
  return db;
}

function ids(prefix: string) {
  let n = 0;
  return () => `${prefix}${++n}`;
}

const options = (extra: UseConversationsOptions = {}): UseConversationsOptions => ({
  baseUrl: BASE,
  generateId: ids('id'),
  now: () => new Date('2025-05-01T00:00:00.000Z'),
  ...extra,
});

const listRequests = () => requests.filter((request) => request.method === 'GET' && new URL(request.url).pathname === '/api/conversations');

/** useConversations and the selected conversation's chat, as a screen would use them. */
function useScreen(input: ConversationStore | UseConversationsOptions) {
  const conversations = useConversations(input);
  const chat = useConversationChat(conversations);
  return { conversations, chat };
}

describe('useConversations', () => {
  it('creates its store once, loads the list once on mount under StrictMode, and keeps working after the double mount', async () => {
    mock();
    const { result, rerender } = renderHook(() => useScreen(options()), { wrapper: StrictMode });
    const store = result.current.conversations.store;
    expect(result.current.conversations.list).toMatchObject({ status: 'loading', page: 'first' });
    await waitFor(() => expect(result.current.conversations.conversations).toHaveLength(6));
    rerender();
    expect(result.current.conversations.store).toBe(store);
    expect(listRequests()).toHaveLength(1);
    expect(result.current.conversations.conversations[0]).toMatchObject({ id: 'conv-report', title: 'Q1 report summary' });

    act(() => result.current.conversations.select('conv-lisbon'));
    expect(result.current.conversations.selected?.id).toBe('conv-lisbon');
    expect(result.current.conversations.history?.status).toBe('loading');
    await waitFor(() => expect(result.current.chat.messages).toHaveLength(4));
    expect(result.current.conversations.history).toMatchObject({ status: 'ready', nextCursor: null });
    expect(messageText(result.current.chat.messages[0]!)).toBe('What should I see in Lisbon over a weekend?');
  });

  it('binds a store it was given without taking it over: unmounting leaves it working', async () => {
    mock();
    const store = createConversationStore({ transport: createHistoryTransport({ baseUrl: BASE }) });
    const { result, unmount } = renderHook(() => useConversations(store));
    expect(result.current.store).toBe(store);
    await waitFor(() => expect(result.current.list.status).toBe('idle'));
    unmount();
    await store.loadConversations();
    expect(store.getState().list.conversations).toHaveLength(6);
    store.dispose();
  });

  it('does not load on mount with loadOnMount: false', async () => {
    mock();
    const { result } = renderHook(() => useConversations(options({ loadOnMount: false })));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(listRequests()).toHaveLength(0);
    expect(result.current.conversations).toEqual([]);
  });

  it('with none selected, the first submit creates a conversation titled by the message, selects it and streams into it', async () => {
    const db = mock();
    const { result } = renderHook(() => useScreen(options()));
    await waitFor(() => expect(result.current.conversations.list.status).toBe('idle'));
    act(() => result.current.chat.setInput('Plan a trip to Porto'));
    act(() => {
      result.current.chat.submit();
    });
    expect(result.current.chat.input).toBe('');
    expect(result.current.conversations.selectedId).toBe('id1');
    expect(result.current.conversations.conversations[0]).toMatchObject({ id: 'id1', title: 'Plan a trip to Porto' });
    await waitFor(() => expect(result.current.chat.status).toBe('idle'));
    expect(result.current.chat.messages.map(messageText)).toEqual(['Plan a trip to Porto', REPLY]);
    expect(db.getConversation('id1')?.title).toBe('Plan a trip to Porto');
    expect(result.current.conversations.state.pending).toEqual({});
  });

  it('refuses an empty first message without creating anything', async () => {
    mock();
    const { result } = renderHook(() => useScreen(options()));
    await waitFor(() => expect(result.current.conversations.list.status).toBe('idle'));
    act(() => {
      result.current.chat.submit('   ');
    });
    expect(result.current.chat.refusal?.code).toBe('invalid_input');
    expect(result.current.conversations.conversations).toHaveLength(6);
    expect(result.current.conversations.selectedId).toBeNull();
  });

  it('renames at once and rolls back with a failure when the server refuses', async () => {
    mock({ faults: { rename: 'server_error' } });
    const { result } = renderHook(() => useConversations(options()));
    await waitFor(() => expect(result.current.list.status).toBe('idle'));
    let done!: ReturnType<typeof result.current.rename>;
    act(() => {
      done = result.current.rename('conv-lisbon', 'Lisbon trip');
    });
    expect(result.current.conversations.find((item) => item.id === 'conv-lisbon')?.title).toBe('Lisbon trip');
    expect(result.current.state.pending['conv-lisbon']).toMatchObject({ kind: 'rename' });
    await act(async () => {
      expect(await done).toMatchObject({ ok: false, error: { code: 'server_error' } });
    });
    expect(result.current.conversations.find((item) => item.id === 'conv-lisbon')?.title).toBe('What should I see in Lisbon over a weekend?');
    expect(result.current.failure).toMatchObject({ operation: 'rename', conversationId: 'conv-lisbon' });
    act(() => result.current.dismissFailure());
    expect(result.current.failure).toBeNull();
  });

  it('keeps tokens in their conversation when the user switches during a stream', async () => {
    // 30 tokens at 30 per second: still streaming while the other conversation loads, even on a busy machine.
    const long = Array.from({ length: 30 }, (_, index) => `word${index + 1}`).join(' ');
    const db = mock({ tokensPerSecond: 30, reply: long });
    const { result } = renderHook(() => useScreen(options()));
    act(() => result.current.conversations.select('conv-lisbon'));
    await waitFor(() => expect(result.current.chat.messages).toHaveLength(4));
    act(() => {
      result.current.chat.submit('Another question');
    });
    await waitFor(() => expect(result.current.chat.status).toBe('streaming'));
    const lisbon = result.current.chat.store;

    act(() => result.current.conversations.select('conv-generics'));
    await waitFor(() => expect(result.current.chat.messages).toHaveLength(4));
    const generics = result.current.chat.messages;
    expect(result.current.chat.status).toBe('idle');
    expect(lisbon.getState().status).toBe('streaming');

    await waitFor(() => expect(lisbon.getState().status).toBe('idle'), { timeout: 5000 });
    expect(result.current.chat.messages).toBe(generics);
    expect(messageText(lisbon.getState().messages.at(-1)!)).toBe(long);
    expect(db.messages('conv-generics')).toHaveLength(4);
    expect(db.messages('conv-lisbon')).toHaveLength(6);
  });

  it('gives the chats the options of the nearest ChatProvider', async () => {
    mock();
    const wrapper = ({ children }: { children: ReactNode }) => <ChatProvider maxInputLength={5}>{children}</ChatProvider>;
    const { result } = renderHook(() => useScreen(options()), { wrapper });
    act(() => result.current.conversations.select('conv-new'));
    act(() => {
      result.current.chat.submit('far too long');
    });
    expect(result.current.chat.refusal?.code).toBe('message_too_long');
  });
});
