import type { Decorator, Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { ChatSimple, type ChatSimpleProps } from 'colloquy';
import { createChatHandlers, replyFor, type ChatHandlerOptions } from 'colloquy/mocks';
import { fixtureClock, sequentialIds } from './fixtures/conversations';

/** The mock protocol server for one scenario: the `chat` entry of `parameters.msw.handlers`. */
const mockServer = (options: ChatHandlerOptions = {}) =>
  Object.values(createChatHandlers({ latencyMs: 300, tokensPerSecond: Infinity, ...options }));

/** A stopped clock and counted ids, so messages sent by a play function render the same time in every run. */
const liveOptions = { now: fixtureClock, generateId: sequentialIds('chat-simple') } satisfies ChatSimpleProps['chatOptions'];

/** Compositions fill their container: the viewport in the story view, 640px on a docs page. */
const fixedHeight: Decorator = (Story, context) => (
  <div style={{ height: context.viewMode === 'docs' ? 640 : '100dvh' }}>
    <Story />
  </div>
);

const QUESTION = 'What is the capital of Australia?';

/** Types `text` into the composer and presses Enter, as a user sends a message. */
async function send(canvas: ReturnType<typeof within>, text: string): Promise<HTMLElement> {
  const input = canvas.getByRole('textbox', { name: 'Message' });
  await userEvent.type(input, text);
  await userEvent.keyboard('{Enter}');
  return input;
}

/**
 * A request-and-answer chat over the protocol's JSON endpoint (`POST /api/chat`): the typing dots while the
 * request is out, then the whole answer at once. Answered by colloquy's MSW mock after 300 ms.
 *
 * Error stories are tagged `!autodocs`: a docs page renders every story at once with one service worker, so
 * their failing handlers would answer every chat on the page.
 */
const meta = {
  title: 'Chat/ChatSimple',
  component: ChatSimple,
  args: { chatOptions: liveOptions },
  decorators: [fixedHeight],
  parameters: {
    layout: 'fullscreen',
    msw: { handlers: { chat: mockServer() } },
  },
} satisfies Meta<typeof ChatSimple>;

export default meta;
type Story = StoryObj<typeof meta>;

export const Empty: Story = {};

/** Send a message: "Sending…" and the typing dots, then the complete answer in one piece (never streaming). */
export const Answered: Story = {
  name: 'Answered – send, then the whole answer',
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const input = await send(canvas, QUESTION);
    await expect(await canvas.findByText('Sending…')).toBeVisible();
    await expect(canvasElement.querySelector('[data-slot=typing-indicator]')).not.toBeNull();

    await waitFor(
      () => expect(canvas.getByText(replyFor(QUESTION)).closest('[data-slot=message]')).toHaveAttribute('data-status', 'complete'),
      { timeout: 3000 },
    );
    await expect(canvasElement.querySelector('[data-slot=typing-indicator]')).toBeNull();
    await expect(canvas.getByRole('status')).toHaveTextContent('Response complete');
    await expect(input).toHaveFocus();
  },
};

/** 503 from the server, then the retry flow: the server recovers and Retry gets the answer. */
export const ErrorThenRetry: Story = {
  name: 'Error – 503 unavailable, then retry',
  tags: ['!autodocs'],
  parameters: { msw: { handlers: { chat: mockServer({ fault: 'upstream_unavailable' }) } } },
  play: async ({ canvasElement, msw }) => {
    const canvas = within(canvasElement);
    const input = await send(canvas, QUESTION);
    const alert = await canvas.findByRole('alert', {}, { timeout: 3000 });
    await expect(alert).toHaveTextContent('The AI service is unavailable right now.');
    const banner = alert.closest('[data-slot=error-banner]');
    if (!(banner instanceof HTMLElement)) throw new TypeError('The alert is not inside an error banner.');

    msw.use(...mockServer());
    await userEvent.click(within(banner).getByRole('button', { name: 'Retry' }));
    await expect(await canvas.findByText(replyFor(QUESTION), {}, { timeout: 3000 })).toBeVisible();
    await waitFor(() => expect(canvas.queryByRole('alert')).toBeNull());
    await expect(input).toHaveFocus();
  },
};

/** A login proxy answered with an HTML page instead of JSON: "The answer was cut off." with Retry. */
export const BadResponse: Story = {
  name: 'Error – HTML instead of JSON (proxy page)',
  tags: ['!autodocs'],
  parameters: { msw: { handlers: { chat: mockServer({ fault: 'bad_response' }) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await send(canvas, QUESTION);
    const alert = await canvas.findByRole('alert', {}, { timeout: 3000 });
    await expect(alert).toHaveTextContent('The answer was cut off.');
  },
};

export const DarkAnswered: Story = {
  name: 'Dark theme – answered',
  parameters: { theme: 'dark' },
  play: Answered.play,
};

export const DarkError: Story = {
  name: 'Dark theme – error',
  tags: ['!autodocs'],
  parameters: { ...BadResponse.parameters, theme: 'dark' },
  play: BadResponse.play,
};
