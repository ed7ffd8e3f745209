import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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
