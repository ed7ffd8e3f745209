import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ChatProvider,
  ChatRoot,
  Message,
  MessageActions,
  MessageAvatar,
  MessageBubble,
  MessageContent,
  MessageFooter,
  MessageNotice,
  MessageTimestamp,
  type ChatMessage,
  type MessageStatus,
} from 'colloquy';

const CREATED_AT = '2025-03-04T09:07:00.000Z';

function message(overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: 'm1',
    parentId: null,
    role: 'assistant',
    parts: [{ type: 'text', text: 'Hello there', state: 'done' }],
    createdAt: CREATED_AT,
    status: 'complete',
    ...overrides,
  };
}

const usage = { promptTokens: 10, completionTokens: 32, totalTokens: 42 };

/** The notice's text, or null when the message shows none. */
function noticeText(container: HTMLElement): string | null {
  return container.querySelector('[data-slot=message-notice]')?.textContent ?? null;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Message', () => {
  it('exposes role and status as data attributes on an article', () => {
    render(<Message message={message({ role: 'user', status: 'pending' })} />);
    const article = screen.getByRole('article');
    expect(article).toHaveAttribute('data-slot', 'message');
    expect(article).toHaveAttribute('data-role', 'user');
    expect(article).toHaveAttribute('data-status', 'pending');
  });

  it.each<[ChatMessage['role'], MessageStatus]>([
    ['assistant', 'streaming'],
    ['assistant', 'complete'],
    ['assistant', 'cancelled'],
    ['assistant', 'error'],
    ['user', 'complete'],
    ['system', 'complete'],
  ])('data-role=%s data-status=%s follow the message', (role, status) => {
    const { rerender } = render(<Message message={message({ role, status })} />);
    expect(screen.getByRole('article')).toHaveAttribute('data-role', role);
    expect(screen.getByRole('article')).toHaveAttribute('data-status', status);
    rerender(<Message message={message({ role, status: 'pending' })} />);
    expect(screen.getByRole('article')).toHaveAttribute('data-status', 'pending');
  });

  it.each([
    ['user', 'You:'],
    ['assistant', 'Assistant:'],
    ['system', 'System:'],
  ] as const)('starts a %s bubble with a visually hidden speaker label "%s"', (role, label) => {
    render(<Message message={message({ role, parts: [{ type: 'text', text: 'Body text', state: 'done' }] })} />);
    const bubble = screen.getByRole('article').querySelector('[data-slot=message-bubble]') as HTMLElement;
    const hidden = within(bubble).getByText(label);
    expect(hidden).toHaveAttribute('data-slot', 'visually-hidden');
    expect(hidden).toHaveClass('sr-only');
    // Read in order: who speaks, then what they said.
    expect(bubble.textContent).toMatch(new RegExp(`^${label}\\s*Body text`));
  });

  it('speaks the labels of the provider', () => {
    render(
      <ChatProvider labels={{ you: 'Vous', assistant: 'Assistant IA' }}>
        <Message message={message({ id: 'a', role: 'user' })} />
        <Message message={message({ id: 'b', role: 'assistant' })} />
      </ChatProvider>,
    );
    expect(screen.getByText('Vous:')).toBeInTheDocument();
    expect(screen.getByText('Assistant IA:')).toBeInTheDocument();
  });

  describe('MessageNotice', () => {
    it.each<[string, Partial<ChatMessage>, string | null]>([
      ['a pending user message', { role: 'user', status: 'pending' }, 'Sending…'],
      ['a cancelled answer', { role: 'assistant', status: 'cancelled' }, 'Stopped'],
      ['a user message that failed', { role: 'user', status: 'error' }, 'Not sent'],
      ['an answer that failed', { role: 'assistant', status: 'error' }, 'Answer interrupted'],
      ['an answer cut off by length', { role: 'assistant', status: 'complete', finishReason: 'length' }, 'Answer cut off: length limit'],
      ['an answer cut off by the filter', { role: 'assistant', status: 'complete', finishReason: 'content_filter' }, 'Answer cut off: content filter'],
      ['an answer that ended normally', { role: 'assistant', status: 'complete', finishReason: 'stop' }, null],
      ['an answer with no finish reason', { role: 'assistant', status: 'complete' }, null],
      ['an answer still streaming', { role: 'assistant', status: 'streaming' }, null],
      ['a delivered user message', { role: 'user', status: 'complete' }, null],
    ])('%s: %j', (_name, overrides, expected) => {
      const { container } = render(<Message message={message(overrides)} />);
      expect(noticeText(container)).toBe(expected);
      if (expected !== null) {
        const notice = screen.getByText(expected);
        expect(notice).toHaveAttribute('data-slot', 'message-notice');
        expect(notice).toHaveAttribute('data-status', overrides.status);
      }
    });

    it('marks failures and cut-off answers as alarming, a pending message not', () => {
      const { rerender } = render(<Message message={message({ role: 'assistant', status: 'error' })} />);
      expect(screen.getByText('Answer interrupted')).toHaveClass('text-danger-soft-foreground');
      rerender(<Message message={message({ role: 'assistant', status: 'complete', finishReason: 'length' })} />);
      expect(screen.getByText('Answer cut off: length limit')).toHaveAttribute('data-finish-reason', 'length');
      expect(screen.getByText('Answer cut off: length limit')).toHaveClass('text-danger-soft-foreground');
      rerender(<Message message={message({ role: 'user', status: 'pending' })} />);
      expect(screen.getByText('Sending…')).not.toHaveClass('text-danger-soft-foreground');
    });

    it('follows the labels of the provider', () => {
      render(
        <ChatProvider labels={{ cancelled: 'Arrêté', finishReason: (reason) => `Coupé (${reason})` }}>
          <Message message={message({ id: 'a', status: 'cancelled' })} />
          <Message message={message({ id: 'b', status: 'complete', finishReason: 'length' })} />
        </ChatProvider>,
      );
      expect(screen.getByText('Arrêté')).toBeInTheDocument();
      expect(screen.getByText('Coupé (length)')).toBeInTheDocument();
    });
  });

  describe('MessageActions', () => {
    it('shows no buttons without handlers', () => {
      render(<Message message={message({ status: 'error' })} />);
      expect(screen.queryByRole('button')).not.toBeInTheDocument();
    });

    it('shows Retry only with onRetry, as a non-submit button that calls it', async () => {
      const user = userEvent.setup();
      const onRetry = vi.fn();
      const onSubmit = vi.fn((event: { preventDefault: () => void }) => event.preventDefault());
      render(
        <form onSubmit={onSubmit}>
          <Message message={message({ status: 'cancelled' })} onRetry={onRetry} />
        </form>,
      );
      const retry = screen.getByRole('button', { name: 'Retry' });
      expect(retry).toHaveAttribute('type', 'button');
      expect(screen.queryByRole('button', { name: 'Regenerate' })).not.toBeInTheDocument();
      await user.click(retry);
      expect(onRetry).toHaveBeenCalledTimes(1);
      // Inside a form, a button without type="button" would submit it.
      expect(onSubmit).not.toHaveBeenCalled();
    });

    it('shows Regenerate only with onRegenerate, as a non-submit button that calls it', async () => {
      const user = userEvent.setup();
      const onRegenerate = vi.fn();
      render(<Message message={message()} onRegenerate={onRegenerate} />);
      const regenerate = screen.getByRole('button', { name: 'Regenerate' });
      expect(regenerate).toHaveAttribute('type', 'button');
      expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
      await user.click(regenerate);
      expect(onRegenerate).toHaveBeenCalledTimes(1);
    });

    it('shows both when given both, each icon hidden from assistive technology', () => {
      render(<Message message={message()} onRetry={() => {}} onRegenerate={() => {}} />);
      const buttons = screen.getAllByRole('button');
      expect(buttons.map((button) => button.textContent)).toEqual(['Retry', 'Regenerate']);
      for (const button of buttons) expect(button.querySelector('svg')).toHaveAttribute('aria-hidden', 'true');
    });
  });

  describe('MessageTimestamp', () => {
    it('renders a <time> with the ISO dateTime and the formatted text', () => {
      render(
        <Message message={message()}>
          <MessageTimestamp format={(date) => `at ${date.toISOString().slice(11, 16)} UTC`} />
        </Message>,
      );
      const time = screen.getByText('at 09:07 UTC');
      expect(time.tagName).toBe('TIME');
      expect(time).toHaveAttribute('datetime', CREATED_AT);
      expect(time).toHaveAttribute('data-slot', 'message-timestamp');
    });

    it('is part of the default footer, formatted by default as hours and minutes', () => {
      const { container } = render(<Message message={message()} />);
      const time = container.querySelector('time');
      expect(time).toHaveAttribute('datetime', CREATED_AT);
      expect(time?.textContent).toBe(new Date(CREATED_AT).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }));
    });

    it('renders nothing for an invalid date', () => {
      const { container } = render(<Message message={message({ createdAt: 'not a date' })} />);
      expect(container.querySelector('time')).toBeNull();
    });
  });

  describe('usage', () => {
    it('shows the UsageBadge on a complete answer', () => {
      render(<Message message={message({ usage })} />);
      expect(screen.getByText(/^42 tokens/)).toHaveAttribute('data-slot', 'usage-badge');
    });

    it.each<MessageStatus>(['streaming', 'cancelled', 'error'])('hides it on a %s answer', (status) => {
      render(<Message message={message({ usage, status })} />);
      expect(screen.queryByText(/42 tokens/)).not.toBeInTheDocument();
    });

    it('hides it on a user message', () => {
      render(<Message message={message({ role: 'user', usage })} />);
      expect(screen.queryByText(/42 tokens/)).not.toBeInTheDocument();
    });
  });

  describe('parts outside Message', () => {
    it.each<[string, ReactNode]>([
      ['MessageBubble', <MessageBubble key="p" />],
      ['MessageAvatar', <MessageAvatar key="p" />],
      ['MessageFooter', <MessageFooter key="p" />],
      ['MessageNotice', <MessageNotice key="p" />],
      ['MessageTimestamp', <MessageTimestamp key="p" />],
      ['MessageActions', <MessageActions key="p" />],
    ])('%s throws a TypeError naming the fix', (part, element) => {
      vi.spyOn(console, 'error').mockImplementation(() => {});
      let thrown: unknown;
      try {
        render(<>{element}</>);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as TypeError).message).toBe(`\`${part}\` must be used within \`Message\`.`);
    });
  });

  describe('composition', () => {
    it('renders the parts it is given instead of the default layout', () => {
      const m = message({ role: 'user', status: 'error' });
      render(
        <Message message={m} onRetry={() => {}}>
          <MessageBubble>
            <MessageContent message={m} />
          </MessageBubble>
          <MessageNotice />
        </Message>,
      );
      expect(screen.getByText('Hello there')).toBeInTheDocument();
      expect(screen.getByText('Not sent')).toBeInTheDocument();
      // No footer, so no actions even with a handler.
      expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
      expect(screen.getByRole('article').querySelector('time')).toBeNull();
    });

    it('shows an avatar for the assistant only, hidden from assistive technology', () => {
      const { container, rerender } = render(<Message message={message()} />);
      expect(container.querySelector('[data-slot=message-avatar]')).toHaveAttribute('aria-hidden', 'true');
      rerender(<Message message={message({ role: 'user' })} />);
      expect(container.querySelector('[data-slot=message-avatar]')).toBeNull();
    });
  });

  describe('className', () => {
    it('wins over the classes of every part', () => {
      const m = message({ role: 'user', status: 'pending' });
      render(
        <Message message={m} className="py-6 gap-0" data-testid="root">
          <MessageAvatar className="size-12" />
          <MessageBubble className="rounded-none px-8" data-testid="bubble">
            <MessageContent message={m} />
          </MessageBubble>
          <MessageFooter className="text-sm">
            <MessageNotice className="italic" />
            <MessageTimestamp className="text-foreground" />
          </MessageFooter>
        </Message>,
      );
      const root = screen.getByTestId('root');
      expect(root).toHaveClass('py-6', 'gap-0');
      expect(root).not.toHaveClass('py-1');
      expect(root).not.toHaveClass('gap-3');
      const bubble = screen.getByTestId('bubble');
      expect(bubble).toHaveClass('rounded-none', 'px-8');
      expect(bubble).not.toHaveClass('rounded-bubble');
      expect(bubble).not.toHaveClass('px-4');
      expect(root.querySelector('[data-slot=message-avatar]')).toHaveClass('size-12');
      expect(root.querySelector('[data-slot=message-avatar]')).not.toHaveClass('size-8');
      expect(root.querySelector('[data-slot=message-footer]')).toHaveClass('text-sm');
      expect(root.querySelector('[data-slot=message-footer]')).not.toHaveClass('text-xs');
      expect(screen.getByText('Sending…')).toHaveClass('italic');
      expect(root.querySelector('time')).toHaveClass('text-foreground');
      expect(root.querySelector('time')).not.toHaveClass('text-muted-foreground');
    });

    it('takes the variant from the enclosing ChatRoot unless it sets one', () => {
      render(
        <ChatRoot variant="flat">
          <Message message={message({ id: 'a' })} data-testid="inherits" />
          <Message message={message({ id: 'b' })} variant="bubble" data-testid="own" />
        </ChatRoot>,
      );
      const bubbleOf = (id: string) => screen.getByTestId(id).querySelector('[data-slot=message-bubble]');
      expect(bubbleOf('inherits')).toHaveClass('px-0');
      expect(bubbleOf('inherits')).not.toHaveClass('rounded-bubble');
      expect(bubbleOf('own')).toHaveClass('rounded-bubble', 'px-4');
    });
  });
});
