import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ChatProvider,
  Message,
  MessageList,
  type ChatMessage,
  type ChatStatus,
  type MessageListProps,
  type MessageRowActions,
  type MessageStatus,
} from 'colloquy';
import { installFakeLayout, type FakeLayout } from '../helpers/fake-layout.js';

function msg(id: string, role: ChatMessage['role'], text: string, status: MessageStatus = 'complete'): ChatMessage {
  return {
    id,
    parentId: null,
    role,
    parts: [{ type: 'text', text, state: status === 'streaming' ? 'streaming' : 'done' }],
    createdAt: '2025-03-04T09:07:00.000Z',
    status,
  };
}

/** A finished two-turn conversation. */
const history: ChatMessage[] = [
  msg('u1', 'user', 'First question'),
  msg('a1', 'assistant', 'First answer'),
  msg('u2', 'user', 'Second question'),
  msg('a2', 'assistant', 'Second answer'),
];

const log = () => screen.getByRole('log', { name: 'Conversation' });
const announcer = () => screen.getByRole('status');
const articleWith = (text: string) => screen.getByText(text).closest('article') as HTMLElement;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('MessageList', () => {
  it('is a labelled log with every message in order, and the footer after them', () => {
    render(<MessageList messages={history} status="idle" footer={<p>typing…</p>} />);
    expect(log()).toHaveAttribute('data-slot', 'message-list');
    const articles = within(log()).getAllByRole('article');
    expect(articles.map((article) => article.getAttribute('data-role'))).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(articles[3]).toHaveTextContent('Second answer');
    expect(within(log()).getByText('typing…')).toBeInTheDocument();
  });

  it('takes its accessible name from the labels', () => {
    render(
      <ChatProvider labels={{ messageListLabel: 'Unterhaltung' }}>
        <MessageList messages={history} />
      </ChatProvider>,
    );
    expect(screen.getByRole('log', { name: 'Unterhaltung' })).toBeInTheDocument();
  });

  describe('aria-busy and the boundary announcements', () => {
    it.each<[ChatStatus | undefined, boolean]>([
      ['submitting', true],
      ['streaming', true],
      ['idle', false],
      ['error', false],
      [undefined, false],
    ])('status %s: aria-busy %s', (status, busy) => {
      render(<MessageList messages={history} status={status} />);
      if (busy) expect(log()).toHaveAttribute('aria-busy', 'true');
      else expect(log()).not.toHaveAttribute('aria-busy');
      if (status) expect(log()).toHaveAttribute('data-status', status);
    });

    it('says "Generating response" once while the answer streams, not per token, then "Response complete"', () => {
      const question = msg('u1', 'user', 'Hi');
      const { rerender } = render(<MessageList messages={[question]} status="submitting" />);
      expect(log()).toHaveAttribute('aria-busy', 'true');
      expect(announcer()).toHaveTextContent('Generating response');
      // The status region sits outside the log, so it is not itself muted by aria-busy.
      expect(log()).not.toContainElement(announcer());

      const mutations = new MutationObserver(() => {});
      mutations.observe(announcer(), { childList: true, characterData: true, subtree: true });
      let text = '';
      for (const token of ['Hello', ' there', ',', ' how', ' can', ' I', ' help?']) {
        text += token;
        rerender(<MessageList messages={[question, msg('a1', 'assistant', text, 'streaming')]} status="streaming" />);
        expect(announcer()).toHaveTextContent(/^Generating response$/);
        // The streaming text is in the log, and the log is busy while it grows.
        expect(within(log()).getByText(text)).toBeInTheDocument();
        expect(log()).toHaveAttribute('aria-busy', 'true');
      }
      // Not a single DOM change reached the live region while tokens arrived.
      expect(mutations.takeRecords()).toEqual([]);
      mutations.disconnect();

      rerender(<MessageList messages={[question, msg('a1', 'assistant', text)]} status="idle" />);
      expect(log()).not.toHaveAttribute('aria-busy');
      expect(announcer()).toHaveTextContent(/^Response complete$/);
    });

    it('says "Response stopped" after a stopped answer', () => {
      const { rerender } = render(<MessageList messages={[msg('u1', 'user', 'Hi'), msg('a1', 'assistant', 'Part', 'streaming')]} status="streaming" />);
      rerender(<MessageList messages={[msg('u1', 'user', 'Hi'), msg('a1', 'assistant', 'Part', 'cancelled')]} status="idle" />);
      expect(announcer()).toHaveTextContent(/^Response stopped$/);
    });

    it('says nothing for a failed turn (the error banner alerts) or a conversation without answers', () => {
      const { rerender } = render(<MessageList messages={[msg('u1', 'user', 'Hi', 'error')]} status="error" />);
      expect(announcer()).toBeEmptyDOMElement();
      rerender(<MessageList messages={[msg('u1', 'user', 'Hi')]} status="idle" />);
      expect(announcer()).toBeEmptyDOMElement();
    });
  });

  describe('row actions', () => {
    const handlers = () => ({ onRetry: vi.fn(), onRegenerate: vi.fn() });

    it('offers Regenerate on the last complete answer only, and calls the handler', async () => {
      const user = userEvent.setup();
      const { onRetry, onRegenerate } = handlers();
      render(<MessageList messages={history} status="idle" onRetry={onRetry} onRegenerate={onRegenerate} />);
      const buttons = within(log()).getAllByRole('button');
      expect(buttons).toHaveLength(1);
      expect(within(articleWith('Second answer')).getByRole('button', { name: 'Regenerate' })).toBe(buttons[0]);
      expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
      await user.click(buttons[0]!);
      expect(onRegenerate).toHaveBeenCalledTimes(1);
      expect(onRetry).not.toHaveBeenCalled();
    });

    it('offers Retry on the last cancelled answer only (not on earlier ones), and calls the handler', async () => {
      const user = userEvent.setup();
      const { onRetry, onRegenerate } = handlers();
      const messages = [
        msg('u1', 'user', 'First question'),
        msg('a1', 'assistant', 'Earlier stopped', 'cancelled'),
        msg('u2', 'user', 'Second question'),
        msg('a2', 'assistant', 'Latest stopped', 'cancelled'),
      ];
      render(<MessageList messages={messages} status="idle" onRetry={onRetry} onRegenerate={onRegenerate} />);
      expect(within(log()).getAllByRole('button')).toHaveLength(1);
      expect(within(articleWith('Earlier stopped')).queryByRole('button')).not.toBeInTheDocument();
      await user.click(within(articleWith('Latest stopped')).getByRole('button', { name: 'Retry' }));
      expect(onRetry).toHaveBeenCalledTimes(1);
      expect(screen.queryByRole('button', { name: 'Regenerate' })).not.toBeInTheDocument();
    });

    it('offers Retry on a user message that was not sent', () => {
      const messages = [...history, msg('u3', 'user', 'Unsent', 'error')];
      render(<MessageList messages={messages} status="error" {...handlers()} />);
      expect(within(log()).getAllByRole('button')).toHaveLength(1);
      expect(within(articleWith('Unsent')).getByRole('button', { name: 'Retry' })).toBeInTheDocument();
    });

    it('offers Retry on an interrupted answer', () => {
      const messages = [msg('u1', 'user', 'Q'), msg('a1', 'assistant', 'Half an', 'error')];
      render(<MessageList messages={messages} status="error" {...handlers()} />);
      expect(within(articleWith('Half an')).getByRole('button', { name: 'Retry' })).toBeInTheDocument();
      expect(screen.queryByRole('button', { name: 'Regenerate' })).not.toBeInTheDocument();
    });

    it.each<ChatStatus>(['submitting', 'streaming'])('offers nothing while %s', (status) => {
      const messages = [...history.slice(0, 3), msg('a2', 'assistant', 'Growing', status === 'streaming' ? 'streaming' : 'complete')];
      render(<MessageList messages={messages} status={status} {...handlers()} />);
      expect(screen.queryByRole('button')).not.toBeInTheDocument();
    });

    it('offers nothing without handlers', () => {
      render(<MessageList messages={[...history.slice(0, 3), msg('a2', 'assistant', 'Stopped one', 'cancelled')]} status="idle" />);
      expect(screen.queryByRole('button')).not.toBeInTheDocument();
    });

    it('passes the narrowed actions to a custom renderMessage', () => {
      const onRetry = vi.fn();
      const seen = new Map<string, MessageRowActions>();
      const renderMessage = (message: ChatMessage, actions: MessageRowActions) => {
        seen.set(message.id, actions);
        return <Message message={message} onRetry={actions.onRetry} />;
      };
      const messages = [...history.slice(0, 3), msg('a2', 'assistant', 'Stopped', 'cancelled')];
      render(<MessageList messages={messages} status="idle" onRetry={onRetry} onRegenerate={() => {}} renderMessage={renderMessage} />);
      expect(seen.get('a2')).toEqual({ onRetry });
      for (const id of ['u1', 'a1', 'u2']) expect(seen.get(id)).toEqual({});
    });
  });

  describe('rows', () => {
    /** A stable renderer that counts its calls per message id. */
    function countingRenderer() {
      const calls = new Map<string, number>();
      const renderMessage: NonNullable<MessageListProps['renderMessage']> = (message, actions) => {
        calls.set(message.id, (calls.get(message.id) ?? 0) + 1);
        return <Message message={message} onRetry={actions.onRetry} onRegenerate={actions.onRegenerate} />;
      };
      return { calls, renderMessage };
    }

    it('re-renders only the streaming row when the last message changes', () => {
      const { calls, renderMessage } = countingRenderer();
      const onRetry = () => {};
      const onRegenerate = () => {};
      const earlier = history.slice(0, 3);
      const props = { status: 'streaming' as const, onRetry, onRegenerate, renderMessage };
      const { rerender } = render(<MessageList messages={[...earlier, msg('a2', 'assistant', 'Tok', 'streaming')]} {...props} />);
      expect(Object.fromEntries(calls)).toEqual({ u1: 1, a1: 1, u2: 1, a2: 1 });

      rerender(<MessageList messages={[...earlier, msg('a2', 'assistant', 'Token', 'streaming')]} {...props} />);
      rerender(<MessageList messages={[...earlier, msg('a2', 'assistant', 'Token by token', 'streaming')]} {...props} />);
      expect(Object.fromEntries(calls)).toEqual({ u1: 1, a1: 1, u2: 1, a2: 3 });
      expect(screen.getByText('Token by token')).toBeInTheDocument();

      // Inline handlers (new identities on every render of the parent) must not wake the rows either.
      rerender(
        <MessageList
          messages={[...earlier, msg('a2', 'assistant', 'Token by token!', 'streaming')]}
          {...props}
          onRetry={() => {}}
          onRegenerate={() => {}}
        />,
      );
      expect(Object.fromEntries(calls)).toEqual({ u1: 1, a1: 1, u2: 1, a2: 4 });
    });

    it('keeps the row offering an action still when the list re-renders with the same handlers', () => {
      const { calls, renderMessage } = countingRenderer();
      const props = { status: 'idle' as const, onRetry: () => {}, onRegenerate: () => {}, renderMessage };
      const { rerender } = render(<MessageList messages={history} {...props} />);
      // A parent re-render: a new array holding the same message objects.
      rerender(<MessageList messages={[...history]} {...props} />);
      rerender(<MessageList messages={[...history]} {...props} />);
      expect(Object.fromEntries(calls)).toEqual({ u1: 1, a1: 1, u2: 1, a2: 1 });
      expect(within(articleWith('Second answer')).getByRole('button', { name: 'Regenerate' })).toBeInTheDocument();
    });

    it('re-renders only the rows whose actions change when the turn ends', () => {
      const { calls, renderMessage } = countingRenderer();
      const props = { onRetry: () => {}, onRegenerate: () => {}, renderMessage };
      const earlier = history.slice(0, 3);
      const { rerender } = render(<MessageList messages={[...earlier, msg('a2', 'assistant', 'Done', 'streaming')]} status="streaming" {...props} />);
      rerender(<MessageList messages={[...earlier, msg('a2', 'assistant', 'Done')]} status="idle" {...props} />);
      expect(Object.fromEntries(calls)).toEqual({ u1: 1, a1: 1, u2: 1, a2: 2 });
      expect(within(articleWith('Done')).getByRole('button', { name: 'Regenerate' })).toBeInTheDocument();
    });

    /** `count` finished messages, `m<from>`…, alternating user and assistant. */
    const numbered = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => msg(`m${from + i}`, (from + i) % 2 === 0 ? 'user' : 'assistant', `Message ${from + i}`));
    const rowElements = (container: HTMLElement) => [...container.querySelectorAll<HTMLElement>('[data-slot=message-row]')];
    const rowIds = (container: HTMLElement) => rowElements(container).map((row) => row.dataset.messageId);

    it('keeps every row element while messages stream, are appended past many rows, and older ones are prepended', () => {
      const start = numbered(100, 70);
      const { container, rerender } = render(<MessageList messages={start} status="idle" />);
      const shown = new Map(rowElements(container).map((row) => [row.dataset.messageId, row]));

      // A long exchange: each question settles as its answer streams in, token by token.
      let messages = start;
      for (let turn = 0; turn < 25; turn++) {
        const question = msg(`q${turn}`, 'user', `Question ${turn}`);
        messages = [...messages, question];
        rerender(<MessageList messages={messages} status="submitting" />);
        for (const text of ['Tok', 'Token', 'Token done']) {
          rerender(<MessageList messages={[...messages, msg(`a${turn}`, 'assistant', text, 'streaming')]} status="streaming" />);
        }
        messages = [...messages, msg(`a${turn}`, 'assistant', `Answer ${turn}`)];
        rerender(<MessageList messages={messages} status="idle" />);
        for (const row of rowElements(container)) if (!shown.has(row.dataset.messageId)) shown.set(row.dataset.messageId, row);
      }
      messages = [...numbered(40, 60), ...messages];
      rerender(<MessageList messages={messages} status="idle" />);

      expect(rowIds(container)).toEqual(messages.map((message) => message.id));
      // The same element for every row that was on screen: no row was remounted along the way.
      for (const [id, row] of shown) expect(container.querySelector(`[data-message-id="${id}"]`), id).toBe(row);
      expect(screen.getByText('Answer 24')).toBeInTheDocument();
    });

    it('shows every change made anywhere in a long list, in order', () => {
      const messages = numbered(0, 100);
      const { container, rerender } = render(<MessageList messages={messages} status="idle" />);
      // One message edited, one removed and one inserted in the middle; the first and the last replaced.
      const changed = [
        msg('first', 'user', 'New first'),
        ...messages.slice(1, 40),
        msg('m40', 'assistant', 'Message 40, edited'),
        ...messages.slice(42, 70),
        msg('inserted', 'user', 'Inserted'),
        ...messages.slice(70, 99),
        msg('last', 'assistant', 'New last'),
      ];
      rerender(<MessageList messages={changed} status="idle" />);
      expect(rowIds(container)).toEqual(changed.map((message) => message.id));
      for (const text of ['New first', 'Message 40, edited', 'Inserted', 'New last']) expect(screen.getByText(text)).toBeInTheDocument();
      expect(screen.queryByText('Message 41')).toBeNull();
      expect(screen.queryByText('Message 40')).toBeNull();
    });
  });

  describe('auto-scroll', () => {
    /** jsdom has no layout: give the log a fake geometry and watch what the list writes to `scrollTop`. */
    function fakeGeometry(element: HTMLElement, geometry: { scrollHeight: number; clientHeight: number; scrollTop: number }) {
      const state = { ...geometry, writes: [] as number[] };
      Object.defineProperty(element, 'scrollHeight', { configurable: true, get: () => state.scrollHeight });
      Object.defineProperty(element, 'clientHeight', { configurable: true, get: () => state.clientHeight });
      Object.defineProperty(element, 'scrollTop', {
        configurable: true,
        get: () => state.scrollTop,
        set: (value: number) => {
          state.writes.push(value);
          state.scrollTop = value;
        },
      });
      return state;
    }

    /** The user scrolls: sets the position, then the browser fires `scroll`. */
    function userScrollsTo(element: HTMLElement, geometry: { scrollTop: number }, top: number) {
      geometry.scrollTop = top;
      fireEvent.scroll(element);
    }

    const jumpButton = () => screen.queryByRole('button', { name: 'Jump to latest' });

    it('follows new messages while pinned to the bottom', () => {
      const { rerender } = render(<MessageList messages={history.slice(0, 2)} status="idle" />);
      const geometry = fakeGeometry(log(), { scrollHeight: 1000, clientHeight: 200, scrollTop: 800 });
      expect(log()).toHaveAttribute('data-pinned');

      geometry.scrollHeight = 1300;
      rerender(<MessageList messages={history.slice(0, 3)} status="submitting" />);
      expect(geometry.scrollTop).toBe(1300);

      geometry.scrollHeight = 1500;
      rerender(<MessageList messages={[...history.slice(0, 3), msg('a2', 'assistant', 'More', 'streaming')]} status="streaming" />);
      expect(geometry.scrollTop).toBe(1500);
      expect(jumpButton()).not.toBeInTheDocument();
    });

    it('stops following when the user scrolls up, offers "Jump to latest", and jumps to the bottom on click', async () => {
      const user = userEvent.setup();
      const { rerender } = render(<MessageList messages={history.slice(0, 3)} status="streaming" />);
      const element = log();
      const geometry = fakeGeometry(element, { scrollHeight: 1000, clientHeight: 200, scrollTop: 800 });

      userScrollsTo(element, geometry, 300);
      expect(element).not.toHaveAttribute('data-pinned');
      const jump = jumpButton();
      expect(jump).toHaveAttribute('type', 'button');

      // New tokens arrive: the reader's place is kept.
      geometry.writes.length = 0;
      geometry.scrollHeight = 1400;
      rerender(<MessageList messages={[...history.slice(0, 3), msg('a2', 'assistant', 'New text', 'streaming')]} status="streaming" />);
      expect(geometry.writes).toEqual([]);
      expect(geometry.scrollTop).toBe(300);

      await user.click(jump!);
      expect(geometry.scrollTop).toBe(1400);
      expect(jumpButton()).not.toBeInTheDocument();
      expect(element).toHaveAttribute('data-pinned');

      // Pinned again: the next message is followed.
      geometry.scrollHeight = 1700;
      rerender(<MessageList messages={[...history.slice(0, 3), msg('a2', 'assistant', 'New text and more', 'streaming')]} status="streaming" />);
      expect(geometry.scrollTop).toBe(1700);
    });

    it('uses scrollTo (smooth) where the browser has it', async () => {
      const user = userEvent.setup();
      render(<MessageList messages={history} status="idle" />);
      const element = log();
      const geometry = fakeGeometry(element, { scrollHeight: 1000, clientHeight: 200, scrollTop: 800 });
      const scrollTo = vi.fn();
      Object.defineProperty(element, 'scrollTo', { configurable: true, value: scrollTo });
      userScrollsTo(element, geometry, 0);
      await user.click(jumpButton()!);
      expect(scrollTo).toHaveBeenCalledWith({ top: 1000, behavior: 'smooth' });
      expect(scrollTo.mock.lastCall?.[0]).toMatchObject({ top: 1000 });
      expect(jumpButton()).not.toBeInTheDocument();
    });

    it('counts a position near the bottom as pinned, and scrolling back down hides the button', () => {
      render(<MessageList messages={history} status="idle" />);
      const element = log();
      const geometry = fakeGeometry(element, { scrollHeight: 1000, clientHeight: 200, scrollTop: 800 });
      userScrollsTo(element, geometry, 760);
      expect(element).toHaveAttribute('data-pinned');
      expect(jumpButton()).not.toBeInTheDocument();
      userScrollsTo(element, geometry, 500);
      expect(jumpButton()).toBeInTheDocument();
      userScrollsTo(element, geometry, 800);
      expect(jumpButton()).not.toBeInTheDocument();
      expect(element).toHaveAttribute('data-pinned');
    });

    it("still calls the user's onScroll", () => {
      const onScroll = vi.fn();
      render(<MessageList messages={history} onScroll={onScroll} />);
      act(() => {
        fireEvent.scroll(log());
      });
      expect(onScroll).toHaveBeenCalledTimes(1);
    });
  });
});

describe('MessageList: long histories', () => {
  /** `count` messages `m${from}`…, of varied lengths, so rows have different heights. */
  const page = (from: number, count: number): ChatMessage[] =>
    Array.from({ length: count }, (_, index) => {
      const n = from + index;
      return msg(`m${n}`, n % 2 === 0 ? 'user' : 'assistant', `Message ${n}. ${'Lorem ipsum dolor sit amet. '.repeat(n % 7)}`);
    });

  const VIEWPORT = { width: 600, height: 480 };
  let layout: FakeLayout | undefined;
  afterEach(() => {
    layout?.restore();
    layout = undefined;
  });

  /** The rows virtua positioned: its items are the parents of our `message-row`s, absolutely placed with `top`. */
  const rowIds = () => [...log().querySelectorAll('[data-slot=message-row]')].map((row) => row.getAttribute('data-message-id'));
  const item = (id: string) => log().querySelector(`[data-message-id="${id}"]`)?.parentElement as HTMLElement;
  /** Where a row is on screen: its offset in the list minus the scroll position (the header and padding are 0 here). */
  const screenTop = (id: string) => parseFloat(item(id).style.top) - log().scrollTop;
  const rowHeight = (row: Element) => 60 + 20 * Math.floor((row.textContent ?? '').length / 40);
  /** The first row whose bottom is below the top of the viewport: the one the reader is reading. */
  const firstVisible = () => rowIds().find((id) => screenTop(id!) + rowHeight(item(id!)) > 0)!;

  /**
   * Renders with a layout: the log shows 480 px, a row is 60 px plus 20 px per 40 characters, and the list is as tall
   * as virtua makes it. Returns the log's scroll state and a `flush` that lets the "browser" measure and scroll.
   */
  async function renderLong(ui: ReactElement) {
    // virtua sizes its container; a full list is as tall as its rows.
    const listHeight = () => {
      const rows = log().querySelector('[data-slot=message-rows]');
      const virtual = log().hasAttribute('data-virtual') ? (rows?.firstElementChild as HTMLElement | null) : null;
      if (virtual) return parseFloat(virtual.style.height);
      return [...(rows?.children ?? [])].reduce((sum, row) => sum + rowHeight(row), 0);
    };
    layout = installFakeLayout((element) => {
      if (element.getAttribute('role') === 'log') return VIEWPORT;
      const row = element.firstElementChild;
      if (row?.getAttribute('data-slot') === 'message-row') return { width: VIEWPORT.width, height: rowHeight(row) };
      if (element.parentElement?.getAttribute('role') === 'log') return { width: VIEWPORT.width, height: listHeight() };
      return undefined;
    });
    const result = render(ui);
    const scroll = layout.scroller(log(), { clientHeight: VIEWPORT.height, scrollHeight: listHeight });
    await layout.flush();
    const fakeLayout = layout;
    return { ...result, scroll, flush: () => fakeLayout.flush() };
  }

  async function userScrollsTo(top: number) {
    log().scrollTop = top;
    await layout!.flush();
  }

  const atBottom = () => log().scrollHeight - log().scrollTop - log().clientHeight;

  it('mounts only the rows near the viewport of 10,000 messages, and opens on the newest', async () => {
    const messages = page(0, 10_000);
    await renderLong(<MessageList messages={messages} status="idle" />);
    expect(log()).toHaveAttribute('data-virtual');
    const ids = rowIds();
    expect(ids.length).toBeGreaterThan(3);
    expect(ids.length).toBeLessThan(40);
    expect(ids).toContain('m9999');
    expect(ids).not.toContain('m0');
    expect(within(log()).getAllByRole('article')).toHaveLength(ids.length);
    expect(atBottom()).toBe(0);
    expect(log()).toHaveAttribute('data-pinned');
    // Rows that scrolling mounts are not news: only the newest row is in the live region.
    for (const id of ids) {
      const row = log().querySelector(`[data-message-id="${id}"]`);
      if (id === 'm9999') expect(row).not.toHaveAttribute('aria-live');
      else expect(row).toHaveAttribute('aria-live', 'off');
    }
    // The log is the same landmark: labelled, focusable, one place to scroll with the keyboard.
    expect(log()).toHaveAttribute('tabindex', '0');
  });

  it('keeps every row in the page up to `virtualizeAfter` messages, and only the visible ones past it', async () => {
    const { rerender, flush } = await renderLong(<MessageList messages={page(0, 30)} status="idle" virtualizeAfter={30} />);
    expect(log()).not.toHaveAttribute('data-virtual');
    expect(rowIds()).toHaveLength(30);

    rerender(<MessageList messages={page(0, 31)} status="idle" virtualizeAfter={30} />);
    await flush();
    expect(log()).toHaveAttribute('data-virtual');
    expect(rowIds().length).toBeLessThan(20);
    expect(rowIds()).toContain('m30');
    expect(atBottom()).toBe(0);
  });

  it('follows the streaming answer while pinned, and moves nothing the reader sees once scrolled up', async () => {
    const earlier = page(0, 299);
    const answer = (text: string) => msg('a', 'assistant', text, 'streaming');
    const { rerender, flush } = await renderLong(<MessageList messages={[...earlier, answer('Hel')]} status="streaming" />);
    rerender(<MessageList messages={[...earlier, answer('Hello, '.repeat(30))]} status="streaming" />);
    await flush();
    expect(atBottom()).toBe(0);

    await userScrollsTo(log().scrollTop - 1500);
    expect(log()).not.toHaveAttribute('data-pinned');
    const reading = firstVisible();
    const before = { scrollTop: log().scrollTop, top: screenTop(reading) };
    expect(screenTop('a')).toBeGreaterThan(VIEWPORT.height);

    rerender(<MessageList messages={[...earlier, answer('Hello, '.repeat(200))]} status="streaming" />);
    await flush();
    expect(log().scrollTop).toBe(before.scrollTop);
    expect(screenTop(reading)).toBe(before.top);
    // Out of view, the growing answer stays mounted: the live region announces it when it completes.
    expect(item('a').textContent?.match(/Hello,/g)).toHaveLength(200);
  });

  it('keeps the row the reader sees in place when an older page is prepended', async () => {
    const onReachTop = vi.fn();
    const newest = page(100, 300);
    const { rerender, flush } = await renderLong(<MessageList messages={newest} status="idle" hasOlder onReachTop={onReachTop} />);
    vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame'] });
    try {
      await userScrollsTo(150);
      await userScrollsTo(100);
      // Asked a frame later, once: the rows this scroll mounted are measured by then.
      expect(onReachTop).not.toHaveBeenCalled();
      act(() => vi.advanceTimersToNextFrame());
      expect(onReachTop).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
    const reading = firstVisible();
    const before = screenTop(reading);

    rerender(<MessageList messages={[...page(0, 100), ...newest]} status="idle" hasOlder={false} onReachTop={onReachTop} />);
    await flush();
    expect(screenTop(reading)).toBe(before);
    expect(log().scrollTop).toBeGreaterThan(150);
  });

  it('keeps the reader in place when a page of older messages makes the list virtual', async () => {
    const newest = page(10, 30);
    const { rerender, flush } = await renderLong(<MessageList messages={newest} status="idle" hasOlder virtualizeAfter={30} />);
    // A full list is laid out row after row: give its rows the boxes a browser would.
    vi.spyOn(Element.prototype, 'getBoundingClientRect').mockImplementation(function (this: Element) {
      let top = 0;
      if (this.getAttribute('data-slot') === 'message-row') {
        for (let row = this.previousElementSibling; row; row = row.previousElementSibling) top += rowHeight(row);
        top -= log().scrollTop;
      }
      const height = this.getAttribute('data-slot') === 'message-row' ? rowHeight(this) : 0;
      return DOMRect.fromRect({ x: 0, y: top, width: VIEWPORT.width, height });
    });
    const plainTop = (id: string) => log().querySelector(`[data-message-id="${id}"]`)!.getBoundingClientRect().top;
    await userScrollsTo(1000);
    const rows = [...log().querySelectorAll('[data-slot=message-row]')];
    const reading = rows.find((row) => row.getBoundingClientRect().bottom > 0)!.getAttribute('data-message-id')!;
    const before = plainTop(reading);
    expect(before).toBeLessThanOrEqual(0);

    rerender(<MessageList messages={[...page(0, 10), ...newest]} status="idle" virtualizeAfter={30} />);
    await flush();
    expect(log()).toHaveAttribute('data-virtual');
    expect(screenTop(reading)).toBe(before);
  });

  it('goes to the first or the newest message at once on Home and End, and follows from there', async () => {
    const onKeyDown = vi.fn();
    const { rerender, flush } = await renderLong(<MessageList messages={page(0, 300)} status="idle" onKeyDown={onKeyDown} />);
    act(() => log().focus());
    fireEvent.keyDown(log(), { key: 'Home' });
    await flush();
    expect(log().scrollTop).toBe(0);
    expect(rowIds()).toContain('m0');
    expect(log()).not.toHaveAttribute('data-pinned');

    fireEvent.keyDown(log(), { key: 'End' });
    await flush();
    expect(atBottom()).toBe(0);
    expect(log()).toHaveAttribute('data-pinned');
    rerender(<MessageList messages={page(0, 301)} status="idle" onKeyDown={onKeyDown} />);
    await flush();
    expect(atBottom()).toBe(0);
    expect(onKeyDown).toHaveBeenCalledTimes(2);
  });

  it('keeps the row holding focus mounted while it scrolls out of view', async () => {
    const renderMessage = (message: ChatMessage) => (
      <article aria-label={message.id}>
        <button type="button">Quote {message.id}</button>
      </article>
    );
    await renderLong(<MessageList messages={page(0, 300)} status="idle" renderMessage={renderMessage} />);
    await userScrollsTo(log().scrollTop - 3000);
    const reading = firstVisible();
    const button = screen.getByRole('button', { name: `Quote ${reading}` });
    act(() => button.focus());

    await userScrollsTo(0);
    expect(rowIds()).toContain(reading);
    expect(button).toBeInTheDocument();
    expect(button).toHaveFocus();
  });
});
