import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, within } from 'storybook/test';
import { Message, MessageAvatar, MessageBubble, MessageContent, MessageFooter, type ChatMessage } from 'colloquy';
import { CHAT_ROLES, MESSAGE_STATUSES, sampleMessage, usage } from './fixtures/conversations';

/** The first part of the sample answer, as a stream leaves it when it stops early. */
const PARTIAL_TEXT = 'Version 2 adds **streaming** over server-sent events and a Stop button that';
const partial = (state: 'streaming' | 'done' = 'done'): ChatMessage['parts'] => [{ type: 'text', text: PARTIAL_TEXT, state }];

/** One message in its default arrangement: avatar (assistant), bubble, and a footer with time, notice and actions. */
const meta = {
  title: 'Parts/Message',
  component: Message,
  args: { message: sampleMessage('assistant', 'complete') },
  decorators: [
    (Story) => (
      <div style={{ maxWidth: '48rem' }}>
        <Story />
      </div>
    ),
  ],
} satisfies Meta<typeof Message>;

export default meta;
type Story = StoryObj<typeof meta>;

export const UserPending: Story = {
  name: 'User – sending (pending)',
  args: { message: sampleMessage('user', 'pending') },
};

export const UserComplete: Story = {
  name: 'User – sent (complete)',
  args: { message: sampleMessage('user', 'complete') },
};

/** The request failed before any answer: "Not sent", with Retry (the list passes it to the failed turn only). */
export const UserError: Story = {
  name: 'User – not sent (error), Retry',
  args: { message: sampleMessage('user', 'error'), onRetry: fn() },
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByText('Not sent')).toBeVisible();
    await userEvent.click(canvas.getByRole('button', { name: 'Retry' }));
    await expect(args.onRetry).toHaveBeenCalledOnce();
  },
};

/** Stopped before the first token: the question carries the status. */
export const UserCancelled: Story = {
  name: 'User – stopped before any answer (cancelled)',
  args: { message: sampleMessage('user', 'cancelled'), onRetry: fn() },
};

/** A streaming text part ends in a caret (steady, not blinking, with Motion off). */
export const AssistantStreaming: Story = {
  name: 'Assistant – streaming (caret)',
  args: { message: sampleMessage('assistant', 'streaming', { parts: partial('streaming') }) },
  play: async ({ canvasElement }) => {
    await expect(canvasElement.querySelector('[data-slot=caret]')).not.toBeNull();
  },
};

export const AssistantComplete: Story = {
  name: 'Assistant – complete, Regenerate',
  args: { message: sampleMessage('assistant', 'complete'), onRegenerate: fn() },
  play: async ({ args, canvasElement }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Regenerate' }));
    await expect(args.onRegenerate).toHaveBeenCalledOnce();
  },
};

/** The badge shows the total; hover (or a screen reader) gives the prompt/completion split. */
export const AssistantWithUsage: Story = {
  name: 'Assistant – with usage',
  args: { message: sampleMessage('assistant', 'complete', { usage: usage(1_024, 310) }) },
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByText('1,334 tokens')).toBeVisible();
  },
};

/** The stream broke after some text: it stays, marked "Answer interrupted". */
export const AssistantError: Story = {
  name: 'Assistant – interrupted (error), Retry',
  args: { message: sampleMessage('assistant', 'error', { parts: partial() }), onRetry: fn() },
};

/** Stopped by the user: the text that arrived stays, marked "Stopped". */
export const AssistantCancelled: Story = {
  name: 'Assistant – stopped (cancelled), Retry',
  args: { message: sampleMessage('assistant', 'cancelled', { parts: partial() }), onRetry: fn() },
};

export const CutOffByLength: Story = {
  name: 'Assistant – cut off by the length limit',
  args: {
    message: sampleMessage('assistant', 'complete', { parts: partial(), finishReason: 'length', usage: usage(18, 512) }),
    onRegenerate: fn(),
  },
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByText('Answer cut off: length limit')).toBeVisible();
  },
};

export const CutOffByContentFilter: Story = {
  name: 'Assistant – cut off by the content filter',
  args: { message: sampleMessage('assistant', 'complete', { parts: partial(), finishReason: 'content_filter' }) },
};

export const System: Story = {
  name: 'System – notice',
  args: { message: sampleMessage('system', 'complete') },
};

/** Transcript style: no bubbles, text on the page background. */
export const Flat: Story = {
  name: 'Flat variant – question and answer',
  args: { variant: 'flat', message: sampleMessage('assistant', 'complete', { usage: usage(1_024, 310) }) },
  render: (args) => (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16 }}>
      <Message {...args} message={sampleMessage('user', 'complete')} />
      <Message {...args} />
    </div>
  ),
};

/** Rebuilt from the parts to show initials instead of the default mark (the avatar is decorative: `aria-hidden`). */
export const CustomAvatar: Story = {
  name: 'Custom avatar – initials',
  render: (args) => (
    <Message {...args}>
      <MessageAvatar>AD</MessageAvatar>
      <div style={{ display: 'flex', minWidth: 0, maxWidth: '85%', flexDirection: 'column', alignItems: 'flex-start', gap: 4 }}>
        <MessageBubble>
          <MessageContent message={args.message} />
        </MessageBubble>
        <MessageFooter />
      </div>
    </Message>
  ),
  play: async ({ canvasElement }) => {
    const avatar = canvasElement.querySelector('[data-slot=message-avatar]');
    await expect(avatar).toHaveTextContent('AD');
    await expect(avatar).toHaveAttribute('aria-hidden', 'true');
  },
};

/**
 * Every role in every status, the same text each time so only the status differs. Some pairs never occur in a
 * chat (an assistant message is never `pending`, a user message never `streaming`; system messages are shown
 * as given): they are here so a restyle can be reviewed in one place.
 */
export const Matrix: Story = {
  name: 'Every role × status',
  render: () => (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 32 }}>
      {CHAT_ROLES.map((role) => (
        <section key={role} style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
          <h2 style={{ margin: 0, fontSize: 16, fontWeight: 600, textTransform: 'capitalize' }}>{role}</h2>
          {MESSAGE_STATUSES.map((status) => (
            <div key={status} style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
              <p style={{ margin: 0, fontFamily: 'var(--font-code)', fontSize: 12, color: 'var(--color-muted-foreground)' }}>
                {role} · {status}
              </p>
              <Message message={sampleMessage(role, status)} />
            </div>
          ))}
        </section>
      ))}
    </div>
  ),
  play: async ({ canvasElement }) => {
    await expect(canvasElement.querySelectorAll('[data-slot=message]')).toHaveLength(CHAT_ROLES.length * MESSAGE_STATUSES.length);
  },
};

export const MatrixDark: Story = {
  name: 'Dark theme – every role × status',
  render: Matrix.render,
  parameters: { theme: 'dark' },
  play: Matrix.play,
};

export const DarkActions: Story = {
  name: 'Dark theme – cut off, usage and Regenerate',
  args: CutOffByLength.args,
  parameters: { theme: 'dark' },
  play: CutOffByLength.play,
};
