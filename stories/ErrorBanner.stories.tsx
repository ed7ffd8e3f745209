import type { Meta, StoryObj } from '@storybook/react-vite';
import { fn } from 'storybook/test';
import { ChatError, ErrorBanner } from 'colloquy';

/** A fixed clock: the rate-limit countdown always reads the same, so screenshots are stable. */
const FROZEN_NOW = Date.UTC(2026, 0, 1, 12);
const frozenClock = () => FROZEN_NOW;

const meta = {
  title: 'Parts/ErrorBanner',
  component: ErrorBanner,
  args: {
    error: new ChatError('network', 'Could not reach the server. Check your connection and try again.'),
    onRetry: fn(),
    onDismiss: fn(),
  },
  decorators: [
    (Story) => (
      <div style={{ maxWidth: 560 }}>
        <Story />
      </div>
    ),
  ],
} satisfies Meta<typeof ErrorBanner>;

export default meta;
type Story = StoryObj<typeof meta>;

export const InvalidInput: Story = {
  name: 'Invalid input – explain',
  args: { error: new ChatError('invalid_input', 'Type a message first.') },
};

export const MessageTooLong: Story = {
  name: 'Message too long – explain',
  args: { error: new ChatError('message_too_long', 'The message is 5,200 characters; the limit is 4,000.') },
};

export const Unauthorized: Story = {
  name: 'Unauthorized – check key',
  args: { error: new ChatError('unauthorized', 'Incorrect API key provided.', { status: 401 }) },
};

export const Forbidden: Story = {
  name: 'Forbidden – explain',
  args: { error: new ChatError('forbidden', 'This project has no access to the model.', { status: 403 }) },
};

export const NotFound: Story = {
  name: 'Not found – explain',
  args: { error: new ChatError('not_found', 'Conversation c_123 was deleted.', { status: 404 }) },
};

export const Conflict: Story = {
  name: 'Conflict – explain',
  args: { error: new ChatError('conflict', 'Message m_42 already exists with different content.', { status: 409 }) },
};

/** The wait comes from `retryAt` under a frozen clock, so it always reads 30 s. */
export const RateLimited: Story = {
  name: 'Rate limited – countdown',
  args: {
    error: new ChatError('rate_limited', 'Too many requests. Please wait a moment.', { status: 429, retryAfterMs: 30_000 }),
    retryAt: FROZEN_NOW + 30_000,
    now: frozenClock,
  },
};

/** Once the wait is over, Retry appears. */
export const RateLimitedOver: Story = {
  name: 'Rate limited – retry available',
  args: {
    error: new ChatError('rate_limited', 'Too many requests. Please wait a moment.', { status: 429 }),
    retryAt: FROZEN_NOW - 1_000,
    now: frozenClock,
  },
};

export const ServerError: Story = {
  name: 'Server error – retry',
  args: { error: new ChatError('server_error', 'Internal server error.', { status: 500 }) },
};

export const UpstreamUnavailable: Story = {
  name: 'Upstream unavailable – retry',
  args: { error: new ChatError('upstream_unavailable', 'The model is overloaded.', { status: 503 }) },
};

export const Timeout: Story = {
  name: 'Timeout – retry',
  args: { error: new ChatError('timeout', 'The request timed out.') },
};

export const Network: Story = {
  name: 'Network – retry',
};

export const Aborted: Story = {
  name: 'Aborted – retry',
  args: { error: new ChatError('aborted', 'The request was cancelled.') },
};

export const BadResponse: Story = {
  name: 'Bad response – retry',
  args: { error: new ChatError('bad_response', 'The stream ended without a done event.') },
};

export const WithoutActions: Story = {
  name: 'Network – no actions wired',
  args: { onRetry: undefined, onDismiss: undefined },
};
