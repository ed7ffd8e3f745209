import type { Decorator, Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { Chat, ChatProvider, createSseTransport, type ChatProps } from 'colloquy';
import { createChatHandlers, replyFor, type ChatHandlerOptions } from 'colloquy/mocks';
import { fixtureClock, sequentialIds } from './fixtures/conversations';

/** The mock protocol server for one scenario: the `chat` entry of `parameters.msw.handlers`. */
const mockServer = (options: ChatHandlerOptions = {}) => Object.values(createChatHandlers({ tokensPerSecond: 30, ...options }));

/** A stopped clock and counted ids, so messages sent by a play function render the same time in every run. */
const liveOptions = { now: fixtureClock, generateId: sequentialIds('chat') } satisfies ChatProps['chatOptions'];

const STARTER_PROMPTS = ['What can you do?', 'How do I rotate my API key?', 'Show me some markdown and code'];

/** What an app configures once, at its root: the drop-in `Chat` reads all of it. */
const transport = createSseTransport({ url: '/api/chat/stream' });
const withProvider: Decorator = (Story) => (
  <ChatProvider
    transport={transport}
    title="Ada, your API assistant"
    welcomeMessage="Ask about your account, billing or the API."
    starterPrompts={STARTER_PROMPTS}
    placeholder="Ask Ada anything…"
  >
    <Story />
  </ChatProvider>
);

/** Compositions fill their container: the viewport in the story view, 640px on a docs page. */
const fixedHeight: Decorator = (Story, context) => (
  <div style={{ height: context.viewMode === 'docs' ? 640 : '100dvh' }}>
    <Story />
  </div>
);

/**
 * The drop-in chat: `<Chat />` with no props, configured by the `ChatProvider` around it (transport, title,
 * welcome message, starter prompts, placeholder). Answered by colloquy's MSW mock at 30 tokens a second.
 */
const meta = {
  title: 'Chat/Chat',
  component: Chat,
  args: { chatOptions: liveOptions },
  decorators: [withProvider, fixedHeight],
  parameters: {
    layout: 'fullscreen',
    msw: { handlers: { chat: mockServer() } },
  },
} satisfies Meta<typeof Chat>;

export default meta;
type Story = StoryObj<typeof meta>;

export const Welcome: Story = {
  name: 'Welcome – from the provider',
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByRole('heading', { name: 'Ada, your API assistant' })).toBeVisible();
    await expect(canvas.getByRole('textbox', { name: 'Message' })).toHaveAttribute('placeholder', 'Ask Ada anything…');
    await expect(within(canvas.getByRole('list', { name: 'Suggestions' })).getAllByRole('button')).toHaveLength(3);
  },
};

/** Click a starter prompt: it is sent at once, the answer streams in, and focus is in the composer for the next one. */
export const StarterPromptStreams: Story = {
  name: 'Starter prompt – answer streams',
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'What can you do?' }));
    const log = await canvas.findByRole('log', { name: 'Conversation' });
    // Part of the answer is on screen while the rest is still arriving.
    await waitFor(() => expect(log.querySelector('[data-slot=message][data-role=assistant][data-status=streaming]')).not.toBeNull(), {
      timeout: 3000,
    });
    await expect(log).toHaveAttribute('aria-busy', 'true');
    await expect(canvas.getByRole('button', { name: 'Stop' })).toBeVisible();

    // The last token shows a moment before the end of the stream: wait for the answer to be complete.
    const reply = replyFor('What can you do?');
    await waitFor(() => expect(canvas.getByText(reply).closest('[data-slot=message]')).toHaveAttribute('data-status', 'complete'), {
      timeout: 5000,
    });
    await expect(log).not.toHaveAttribute('aria-busy');
    await expect(canvas.getByRole('status')).toHaveTextContent('Response complete');
    await expect(canvas.getByRole('textbox', { name: 'Message' })).toHaveFocus();
  },
};

/** Props win over the provider's defaults. */
export const PropsOverrideProvider: Story = {
  name: 'Props override the provider',
  args: { title: 'Billing help', starterPrompts: ['Explain my last invoice'], placeholder: 'Ask about billing…' },
};

export const DarkWelcome: Story = {
  name: 'Dark theme – welcome',
  parameters: { theme: 'dark' },
  play: Welcome.play,
};

export const DarkStarterPromptStreams: Story = {
  name: 'Dark theme – answer streams',
  parameters: { theme: 'dark' },
  play: StarterPromptStreams.play,
};
