import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, waitFor, within } from 'storybook/test';
import { MessageList, TypingIndicator } from 'colloquy';
import {
  failedConversation,
  longConversation,
  pendingConversation,
  shortConversation,
  streamingConversation,
} from './fixtures/conversations';

/** Distance from the log's bottom edge, in px. */
const fromBottom = (log: HTMLElement) => log.scrollHeight - log.scrollTop - log.clientHeight;

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
