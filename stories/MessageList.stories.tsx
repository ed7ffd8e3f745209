import type { Meta, StoryObj } from '@storybook/react-vite';
import { useState } from 'react';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { MessageList, TypingIndicator, type ChatMessage, type MessageListProps } from 'colloquy';
import {
  failedConversation,
  longConversation,
  pendingConversation,
  shortConversation,
  streamingConversation,
  thread,
  usage,
  type FixtureEntry,
} from './fixtures/conversations';

/** Distance from the log's bottom edge, in px. */
const fromBottom = (log: HTMLElement) => log.scrollHeight - log.scrollTop - log.clientHeight;

/** A stand-up log of `count` messages: deterministic text of three lengths, so rows have different heights. */
function standUps(count: number): ChatMessage[] {
  const entries = Array.from({ length: count }, (_, index): FixtureEntry => {
    const n = (index + 1).toLocaleString('en-US');
    if (index % 2 === 0) return { role: 'user', text: `Stand-up note ${n}: what changed since yesterday?` };
    const detail = ['Nothing blocking.', 'The **SSE transport** now reports idle timeouts; the retry banner counts down.', 'Shipped:\n\n- paging of older messages\n- `Jump to latest`\n- a quieter live region'];
    return { role: 'assistant', text: `Answer ${n}. ${detail[index % 3]}`, usage: usage(20 + (index % 50), 10 + (index % 30)) };
  });
  return thread('standup', entries);
}

const tenThousand = standUps(10_000);

const rowsIn = (log: HTMLElement) => log.querySelectorAll('[data-slot=message-row]');

/** Holds the newest page and prepends the previous one when the list asks (`onReachTop`), like a history store. */
function PagedMessageList({ all, pageSize, ...props }: Omit<MessageListProps, 'messages'> & { all: ChatMessage[]; pageSize: number }) {
  const [from, setFrom] = useState(all.length - pageSize);
  return (
    <MessageList
      {...props}
      messages={all.slice(from)}
      hasOlder={from > 0}
      onReachTop={() => setFrom((current) => Math.max(0, current - pageSize))}
    />
  );
}

/**
 * The scrolling conversation (`role="log"`), pinned to the newest message until the user scrolls up. It fills a
 * flex column: the decorator gives it a fixed height.
 */
const meta = {
  title: 'Parts/MessageList',
  component: MessageList,
  args: { messages: shortConversation, status: 'idle', onRetry: fn(), onRegenerate: fn() },
  decorators: [
    (Story) => (
      <div style={{ display: 'flex', height: 480, flexDirection: 'column', border: '1px solid var(--color-border)' }}>
        <Story />
      </div>
    ),
  ],
} satisfies Meta<typeof MessageList>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Four messages; Regenerate is offered on the last answer only. */
export const Short: Story = {
  name: 'Short conversation',
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Regenerate' }));
    await expect(args.onRegenerate).toHaveBeenCalledOnce();
    await expect(canvas.getAllByRole('button', { name: 'Regenerate' })).toHaveLength(1);
  },
};

/** Scrolled up from the newest message: "Jump to latest" appears, and brings the view back down. */
export const LongJumpToLatest: Story = {
  name: 'Long – scrolled up, Jump to latest',
  args: { messages: longConversation },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const log = canvas.getByRole('log', { name: 'Conversation' });
    await waitFor(() => expect(fromBottom(log)).toBeLessThanOrEqual(1));
    await expect(canvas.queryByRole('button', { name: 'Jump to latest' })).toBeNull();

    log.scrollTop = 0;
    const jump = await canvas.findByRole('button', { name: 'Jump to latest' });
    await expect(log).not.toHaveAttribute('data-pinned');

    await userEvent.click(jump);
    await waitFor(() => expect(fromBottom(log)).toBeLessThanOrEqual(1), { timeout: 3000 });
    await expect(log).toHaveAttribute('data-pinned');
    await expect(canvas.queryByRole('button', { name: 'Jump to latest' })).toBeNull();
  },
};

/** The last answer is still arriving: the log is `aria-busy`, so its text is announced once, when complete. */
export const Streaming: Story = {
  name: 'Streaming – last message, log busy',
  args: { messages: streamingConversation, status: 'streaming' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByRole('log', { name: 'Conversation' })).toHaveAttribute('aria-busy', 'true');
    await expect(canvas.getByRole('status')).toHaveTextContent('Generating response');
    await expect(canvasElement.querySelector('[data-slot=caret]')).not.toBeNull();
    await expect(canvas.queryByRole('button', { name: /Retry|Regenerate/ })).toBeNull();
  },
};

/** Sent, no token yet: the question says "Sending…" and the footer holds the typing dots. */
export const Submitting: Story = {
  name: 'Submitting – typing indicator',
  args: { messages: pendingConversation, status: 'submitting', footer: <TypingIndicator className="ms-11" /> },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByText('Sending…')).toBeVisible();
    await expect(canvas.getByRole('log', { name: 'Conversation' })).toHaveAttribute('aria-busy', 'true');
  },
};

/** The last question failed: Retry is offered on it, and on nothing else. */
export const Failed: Story = {
  name: 'Failed – Retry on the last question',
  args: { messages: failedConversation, status: 'error' },
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByText('Not sent')).toBeVisible();
    await userEvent.click(canvas.getByRole('button', { name: 'Retry' }));
    await expect(args.onRetry).toHaveBeenCalledOnce();
    await expect(canvas.queryByRole('button', { name: 'Regenerate' })).toBeNull();
  },
};

export const DarkShort: Story = {
  name: 'Dark theme – short conversation',
  parameters: { theme: 'dark' },
};

export const DarkStreaming: Story = {
  name: 'Dark theme – streaming',
  args: Streaming.args,
  parameters: { theme: 'dark' },
  play: Streaming.play,
};

export const DarkJumpToLatest: Story = {
  name: 'Dark theme – Jump to latest',
  args: { messages: longConversation },
  parameters: { theme: 'dark' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const log = canvas.getByRole('log', { name: 'Conversation' });
    await waitFor(() => expect(fromBottom(log)).toBeLessThanOrEqual(1));
    log.scrollTop = 0;
    await expect(await canvas.findByRole('button', { name: 'Jump to latest' })).toBeVisible();
  },
};

/**
 * 10,000 messages: only the rows near the viewport are in the page (`data-virtual`), so it opens as fast as a short
 * conversation, on the newest message. Scrolling anywhere mounts the rows there.
 */
export const TenThousandMessages: Story = {
  name: 'Very long – 10,000 messages, only visible rows mounted',
  args: { messages: tenThousand },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const log = canvas.getByRole('log', { name: 'Conversation' });
    await expect(log).toHaveAttribute('data-virtual');
    await waitFor(() => expect(fromBottom(log)).toBeLessThanOrEqual(1));
    // virtua mounts a row hidden until it has measured it: wait for it to show, not just to exist.
    await waitFor(() => expect(canvas.getByText(/^Answer 10,000\./)).toBeVisible());
    await expect(rowsIn(log).length).toBeLessThan(60);
    await expect(log).toHaveAttribute('data-pinned');

    log.scrollTop = 0;
    await waitFor(() => expect(canvas.getByText('Stand-up note 1: what changed since yesterday?')).toBeVisible());
    await expect(rowsIn(log).length).toBeLessThan(60);
    await userEvent.click(await canvas.findByRole('button', { name: 'Jump to latest' }));
    await waitFor(() => expect(fromBottom(log)).toBeLessThanOrEqual(1), { timeout: 3000 });
    await waitFor(() => expect(canvas.getByText(/^Answer 10,000\./)).toBeVisible());
  },
};

/**
 * The newest 300 of 10,000 messages; scrolling to the top prepends the previous 300 (`onReachTop`), and the message
 * the reader was looking at stays where it was.
 */
export const OlderPagesKeepTheirPlace: Story = {
  name: 'Very long – older pages load on scroll, the reader keeps their place',
  args: { messages: [] },
  parameters: {
    visual: {
      disable: true,
      reason:
        'Where the list rests after the prepend depends on when the virtual rows are measured (it varied by 150 px between two runs); the play function asserts what matters: the note the reader saw stays in view.',
    },
  },
  render: (args) => <PagedMessageList {...args} all={tenThousand} pageSize={300} />,
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const log = canvas.getByRole('log', { name: 'Conversation' });
    await waitFor(() => expect(fromBottom(log)).toBeLessThanOrEqual(1));
    log.scrollTop = 0;
    const first = await canvas.findByText('Stand-up note 9,701: what changed since yesterday?');
    // The previous page goes in above (a frame later): the note that was first is still in view, where it was.
    await waitFor(() => expect(log.scrollTop).toBeGreaterThan(1000));
    const top = first.getBoundingClientRect().top - log.getBoundingClientRect().top;
    // Row offsets are fractional while virtua measures: the note may sit a pixel above the edge, still in view.
    await expect(top).toBeGreaterThanOrEqual(-2);
    await expect(top).toBeLessThan(log.clientHeight);
  },
};
