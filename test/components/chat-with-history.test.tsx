import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatWithHistory, MessageList, type ChatMessage, type ChatWithHistoryProps } from 'colloquy';
import { createHistoryDb, createHistoryHandlers, LONG_CONVERSATION_ID, type HistoryDb, type HistoryHandlerOptions } from 'colloquy/mocks';
import { createMockServer } from 'colloquy/mocks/node';

const BASE = 'http://localhost/api';
const REPLY = 'one two three four five six seven eight';
const NOW = new Date('2025-03-21T12:00:00.000Z');
const server = createMockServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function mock(options: HistoryHandlerOptions = {}): HistoryDb {
  const db = options.db ?? createHistoryDb({ now: () => NOW });
  server.use(...Object.values(createHistoryHandlers({ tokensPerSecond: Infinity, reply: REPLY, ...options, db })));
  return db;
}

function renderChat(props: Partial<ChatWithHistoryProps> = {}) {
  const user = userEvent.setup();
  let n = 0;
  const view = render(
    <ChatWithHistory
      baseUrl={BASE}
      now={NOW}
      title="Assistant"
      welcomeMessage="Ask me anything."
      {...props}
      conversationOptions={{ generateId: () => `id${++n}`, now: () => NOW, ...props.conversationOptions }}
    />,
  );
  return { user, ...view };
}

const nav = () => screen.getAllByRole('navigation', { name: 'Conversations' })[0]!;
const log = () => screen.getByRole('log', { name: 'Conversation' });
const composer = () => screen.getByRole('textbox', { name: 'Message' });
const articles = () => within(log()).queryAllByRole('article');
/** The button that opens a conversation: its name is the title, then the date. */
const conversationButton = (title: string | RegExp) =>
  within(nav()).getByRole('button', { name: typeof title === 'string' ? new RegExp(`^${title.replace(/[?.]/g, '\\$&')}`) : title });
const findConversationButton = (title: string) => waitFor(() => conversationButton(title));
const heading = () => within(screen.getByRole('banner')).getByRole('heading');

describe('ChatWithHistory', () => {
  it('lists the conversations, opens one with its messages, and marks it current', async () => {
    mock();
    const { user } = renderChat();
    expect(within(nav()).getByRole('status')).toHaveTextContent('Loading conversations…');
    expect(heading()).toHaveTextContent('Assistant');
    expect(screen.getByText('Ask me anything.')).toBeInTheDocument();

    await user.click(await findConversationButton('Explain TypeScript generics'));
    expect(conversationButton('Explain TypeScript generics')).toHaveAttribute('aria-current', 'true');
    expect(heading()).toHaveTextContent('Explain TypeScript generics with a code example.');
    await waitFor(() => expect(articles()).toHaveLength(4));
    expect(articles()[0]).toHaveTextContent('Explain TypeScript generics with a code example.');

    await user.click(conversationButton('What should I see in Lisbon'));
    await waitFor(() => expect(articles()[0]).toHaveTextContent('What should I see in Lisbon over a weekend?'));
    expect(conversationButton('Explain TypeScript generics')).not.toHaveAttribute('aria-current');
  });

  it('New chat: the first message creates the conversation, at the top, selected, and the answer streams into it', async () => {
    const db = mock();
    const { user } = renderChat({ defaultConversationId: 'conv-lisbon' });
    await waitFor(() => expect(articles()).toHaveLength(4));
    await user.click(within(nav()).getByRole('button', { name: 'New chat' }));
    expect(composer()).toHaveFocus();
    expect(screen.getByText('Ask me anything.')).toBeInTheDocument();

    await user.keyboard('Plan a weekend in Porto{Enter}');
    expect(composer()).toHaveValue('');
    expect(composer()).toHaveFocus();
    const first = within(nav()).getAllByRole('listitem')[0]!;
    expect(first).toHaveTextContent('Plan a weekend in Porto');
    expect(within(first).getByRole('button', { current: true })).toBeInTheDocument();
    await waitFor(() => expect(articles()[1]).toHaveAttribute('data-status', 'complete'));
    expect(articles()[1]).toHaveTextContent(REPLY);
    expect(db.getConversation('id1')).toMatchObject({ title: 'Plan a weekend in Porto' });
    expect(db.messages('id1')).toHaveLength(2);
  });

  it('renames in place at once, and rolls back with an alert when the server refuses', async () => {
    // Slow enough to see the optimistic title before the refusal arrives.
    const db = mock({ faults: { rename: 'server_error' }, latencyMs: 150 });
    const { user } = renderChat();
    await user.click(await findConversationButton('Q1 report summary'));
    await user.click(within(nav()).getByRole('button', { name: 'Rename “Q1 report summary”' }));
    await user.keyboard('{Control>}a{/Control}Quarterly numbers{Enter}');
    expect(conversationButton('Quarterly numbers')).toHaveFocus();
    expect(heading()).toHaveTextContent('Quarterly numbers');
    expect(await within(nav()).findByRole('alert', {}, { timeout: 2000 })).toHaveTextContent('could not be renamed');
    expect(conversationButton('Q1 report summary')).toBeInTheDocument();
    expect(heading()).toHaveTextContent('Q1 report summary');
    expect(db.getConversation('conv-report')?.title).toBe('Q1 report summary');

    await user.click(within(nav()).getByRole('button', { name: 'Dismiss' }));
    expect(within(nav()).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('renames for good when the server agrees', async () => {
    const db = mock();
    const { user } = renderChat();
    await findConversationButton('Q1 report summary');
    await user.click(within(nav()).getByRole('button', { name: 'Rename “Q1 report summary”' }));
    await user.keyboard('{Control>}a{/Control}Quarterly numbers{Enter}');
    await waitFor(() => expect(db.getConversation('conv-report')?.title).toBe('Quarterly numbers'));
    expect(conversationButton('Quarterly numbers')).toBeInTheDocument();
  });

  it('deletes after confirmation, at once; the open conversation closes', async () => {
    const db = mock();
    const { user } = renderChat({ defaultConversationId: 'conv-sourdough' });
    await waitFor(() => expect(articles()).toHaveLength(6));
    const title = db.getConversation('conv-sourdough')!.title;
    await user.click(within(nav()).getByRole('button', { name: `Delete “${title}”` }));
    expect(db.getConversation('conv-sourdough')).toBeDefined();
    await user.click(within(nav()).getByRole('button', { name: 'Delete' }));
    expect(within(nav()).queryByText(title)).not.toBeInTheDocument();
    expect(screen.queryByRole('log')).not.toBeInTheDocument();
    expect(screen.getByText('Ask me anything.')).toBeInTheDocument();
    // Focus goes to the conversation that took its place.
    expect(conversationButton('Daily stand-up log')).toHaveFocus();
    await waitFor(() => expect(db.getConversation('conv-sourdough')).toBeUndefined());
  });

  it('puts a conversation back, with an alert, when the server refuses to delete it', async () => {
    const db = mock({ faults: { delete: 'server_error' }, latencyMs: 150 });
    const { user } = renderChat();
    await findConversationButton('What should I see in Lisbon');
    await user.click(within(nav()).getByRole('button', { name: /^Delete “What should I see in Lisbon/ }));
    await user.click(within(nav()).getByRole('button', { name: 'Delete' }));
    expect(within(nav()).queryByText(/What should I see in Lisbon/)).not.toBeInTheDocument();
    expect(await within(nav()).findByRole('alert', {}, { timeout: 2000 })).toHaveTextContent('could not be deleted');
    expect(conversationButton('What should I see in Lisbon')).toBeInTheDocument();
    expect(db.getConversation('conv-lisbon')).toBeDefined();
  });

  it('keeps streamed tokens in their conversation when the user switches mid-answer', async () => {
    // 30 tokens at 30 per second: still streaming while the other conversation loads, even on a busy machine.
    const long = Array.from({ length: 30 }, (_, index) => `word${index + 1}`).join(' ');
    const db = mock({ tokensPerSecond: 30, reply: long });
    const { user } = renderChat({ defaultConversationId: 'conv-lisbon' });
    await waitFor(() => expect(articles()).toHaveLength(4));
    await user.type(composer(), 'Any day trips?{Enter}');
    await waitFor(() => expect(articles()[5]).toHaveAttribute('data-status', 'streaming'));

    await user.click(conversationButton('Explain TypeScript generics'));
    await waitFor(() => expect(articles()).toHaveLength(4));
    expect(articles()[0]).toHaveTextContent('Explain TypeScript generics');
    expect(log()).not.toHaveAttribute('aria-busy');
    expect(log()).not.toHaveTextContent('word1');

    await waitFor(() => expect(db.messages('conv-lisbon')?.at(-1)?.status).toBe('complete'), { timeout: 5000 });
    expect(articles()).toHaveLength(4);
    await user.click(conversationButton('What should I see in Lisbon'));
    await waitFor(() => expect(articles()).toHaveLength(6));
    expect(articles()[5]).toHaveTextContent(long);
    expect(articles()[5]).toHaveAttribute('data-status', 'complete');
  });

  it('a failed save keeps the message with Retry; Retry sends the same message once the server is back', async () => {
    const db = createHistoryDb({ now: () => NOW });
    mock({ db, faults: { save: 'server_error' } });
    const { user } = renderChat({ defaultConversationId: 'conv-lisbon' });
    await waitFor(() => expect(articles()).toHaveLength(4));
    await user.type(composer(), 'Any day trips?{Enter}');
    const question = await waitFor(() => {
      const last = articles()[4];
      expect(last).toHaveAttribute('data-status', 'error');
      return last!;
    });
    expect(question).toHaveTextContent('Any day trips?');
    expect(question).toHaveTextContent('Not sent');
    expect(screen.getByRole('alert')).toHaveTextContent('The server had a problem answering.');

    server.resetHandlers();
    mock({ db });
    await user.click(within(question).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(articles()[5]).toHaveAttribute('data-status', 'complete'));
    expect(composer()).toHaveFocus();
    expect(db.messages('conv-lisbon')?.filter((message) => message.role === 'user')).toHaveLength(3);
  });

  it('says when a conversation cannot be loaded, and loads it again on Retry', async () => {
    const db = mock({ faults: { messages: 'server_error' } });
    const { user } = renderChat({ defaultConversationId: 'conv-lisbon' });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The server had a problem answering.');
    server.resetHandlers();
    mock({ db });
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(articles()).toHaveLength(4));
  });

  it('loads older messages as the user scrolls up, keeping the message they were reading in place', async () => {
    mock();
    renderChat({ defaultConversationId: LONG_CONVERSATION_ID, conversationOptions: { messagePageSize: 20 } });
    await waitFor(() => expect(articles()).toHaveLength(20));
    expect(articles()[0]).toHaveTextContent('Stand-up note 2491');
    expect(within(log()).getByRole('button', { name: 'Load older messages' })).toBeInTheDocument();

    // jsdom has no layout: every message is 100 px tall, the log shows 500 px.
    const element = log();
    const geometry = { scrollTop: 1500 };
    Object.defineProperty(element, 'scrollHeight', { configurable: true, get: () => articles().length * 100 });
    Object.defineProperty(element, 'clientHeight', { configurable: true, get: () => 500 });
    Object.defineProperty(element, 'scrollTop', { configurable: true, get: () => geometry.scrollTop, set: (value: number) => (geometry.scrollTop = value) });

    // Scrolling in the middle asks for nothing; near the top, for the previous page.
    geometry.scrollTop = 900;
    fireEvent.scroll(element);
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(articles()).toHaveLength(20);
    geometry.scrollTop = 120;
    fireEvent.scroll(element);
    expect(within(log()).getByText('Loading older messages…')).toBeInTheDocument();
    await waitFor(() => expect(articles()).toHaveLength(40));
    expect(articles()[0]).toHaveTextContent('Stand-up note 2481');
    // 20 messages (2,000 px) went in above: the one at 120 px is still where it was.
    expect(geometry.scrollTop).toBe(2120);
    expect(within(log()).queryByText('Loading older messages…')).not.toBeInTheDocument();

    // The button does the same without scrolling.
    fireEvent.click(within(log()).getByRole('button', { name: 'Load older messages' }));
    await waitFor(() => expect(articles()).toHaveLength(60));
    expect(geometry.scrollTop).toBe(4120);
  });

  describe('on small screens', () => {
    it('opens the conversations in a modal drawer; Escape closes it and focus returns to the toggle', async () => {
      mock();
      const { user } = renderChat({ defaultConversationId: 'conv-generics' });
      const toggle = screen.getByRole('button', { name: 'Show conversations' });
      expect(toggle).toHaveAttribute('aria-expanded', 'false');
      await findConversationButton('Explain TypeScript generics');

      await user.click(toggle);
      const drawer = screen.getByRole('dialog', { name: 'Conversations' });
      expect(drawer).toHaveAttribute('aria-modal', 'true');
      expect(toggle).toHaveAttribute('aria-expanded', 'true');
      expect(toggle).toHaveAttribute('aria-controls', drawer.id);
      // The page behind is inert; focus starts on the open conversation.
      expect(document.querySelector('[data-slot=chat-history-main]')).toHaveAttribute('inert');
      expect(within(drawer).getByRole('button', { current: true })).toHaveFocus();

      await user.keyboard('{Escape}');
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
      expect(toggle).toHaveFocus();
      expect(toggle).toHaveAttribute('aria-expanded', 'false');
      expect(document.querySelector('[data-slot=chat-history-main]')).not.toHaveAttribute('inert');
    });

    it('keeps Tab inside the drawer, closes on the close button, and closes when a conversation is picked', async () => {
      mock();
      const { user } = renderChat();
      await findConversationButton('Q1 report summary');
      const toggle = screen.getByRole('button', { name: 'Show conversations' });
      await user.click(toggle);
      const drawer = screen.getByRole('dialog', { name: 'Conversations' });
      const close = within(drawer).getByRole('button', { name: 'Close conversations' });
      expect(close).toHaveFocus();
      await user.tab({ shift: true });
      expect(drawer).toContainElement(document.activeElement as HTMLElement);
      await user.tab();
      expect(close).toHaveFocus();

      await user.click(close);
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
      expect(toggle).toHaveFocus();

      await user.click(toggle);
      await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: /^What should I see in Lisbon/ }));
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
      expect(toggle).toHaveFocus();
      await waitFor(() => expect(articles()).toHaveLength(4));
    });
  });
});

describe('MessageList: older messages', () => {
  const message = (id: string): ChatMessage => ({
    id,
    parentId: null,
    role: 'user',
    parts: [{ type: 'text', text: id, state: 'done' }],
    createdAt: '2025-03-04T09:07:00.000Z',
    status: 'complete',
  });
  const page = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => message(`m${from + index}`));

  it('asks only while hasOlder and not loadingOlder, and keeps the place only when messages were prepended', async () => {
    const asked: number[] = [];
    const onReachTop = () => asked.push(asked.length);
    const { rerender } = render(<MessageList messages={page(10, 20)} onReachTop={onReachTop} hasOlder />);
    const element = log();
    const geometry = { scrollTop: 0, scrollHeight: 1000 };
    Object.defineProperty(element, 'scrollHeight', { configurable: true, get: () => geometry.scrollHeight });
    Object.defineProperty(element, 'clientHeight', { configurable: true, get: () => 300 });
    Object.defineProperty(element, 'scrollTop', { configurable: true, get: () => geometry.scrollTop, set: (value: number) => (geometry.scrollTop = value) });
    geometry.scrollTop = 50;
    fireEvent.scroll(element);
    expect(asked).toHaveLength(1);

    rerender(<MessageList messages={page(10, 20)} onReachTop={onReachTop} hasOlder loadingOlder />);
    fireEvent.scroll(element);
    expect(asked).toHaveLength(1);

    // Appended at the end (a new answer): the position is left alone.
    geometry.scrollHeight = 1100;
    rerender(<MessageList messages={page(10, 21)} onReachTop={onReachTop} hasOlder loadingOlder />);
    expect(geometry.scrollTop).toBe(50);

    geometry.scrollHeight = 2100;
    rerender(<MessageList messages={page(0, 21)} onReachTop={onReachTop} hasOlder={false} />);
    expect(geometry.scrollTop).toBe(1050);
    geometry.scrollTop = 10;
    fireEvent.scroll(element);
    expect(asked).toHaveLength(1);
  });
});
