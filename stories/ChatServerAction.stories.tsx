import type { Decorator, Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, within } from 'storybook/test';
import { ChatServerAction, messageText, type ChatServerActionFn, type ChatServerActionProps } from 'colloquy';
import { countTokens, replyFor } from 'colloquy/mocks';
import { fixtureClock, sequentialIds } from './fixtures/conversations';

/**
 * Stands in for a `'use server'` function: it gets the protocol's JSON body and answers with the mock's
 * deterministic reply. No network, so no MSW: the action is the server.
 */
const answeringAction = fn<ChatServerActionFn>(async (request) => {
  const last = request.messages[request.messages.length - 1];
  const prompt = last ? messageText(last) : '';
  const reply = replyFor(prompt);
  const promptTokens = request.messages.reduce((sum, message) => sum + countTokens(messageText(message)), 0);
  const completionTokens = countTokens(reply);
  return {
    ok: true,
    message: reply,
    usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    finishReason: 'stop',
  };
});

/** A server action reporting an expected failure as a typed result instead of throwing (which would hide the message). */
const failingAction = fn<ChatServerActionFn>(async () => ({
  ok: false,
  error: { code: 'upstream_unavailable', message: 'The model is overloaded. Try again in a minute.' },
}));

/** A stopped clock and counted ids, so messages sent by a play function render the same time in every run. */
const liveOptions = { now: fixtureClock, generateId: sequentialIds('chat-server-action') } satisfies ChatServerActionProps['chatOptions'];

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

/** A chat answered by a Next.js server action; here an in-story async function plays the action. */
const meta = {
  title: 'Chat/ChatServerAction',
  component: ChatServerAction,
  args: { action: answeringAction, chatOptions: liveOptions },
  decorators: [fixedHeight],
  parameters: { layout: 'fullscreen' },
} satisfies Meta<typeof ChatServerAction>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The action receives the protocol's JSON body (plain data, no status or timestamps) and its answer shows with usage. */
export const Answered: Story = {
  name: 'Answered by the action',
  args: { title: 'Assistant', welcomeMessage: 'Answered by a server action, without an API route.' },
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    await send(canvas, QUESTION);
    await expect(await canvas.findByText(replyFor(QUESTION), {}, { timeout: 3000 })).toBeVisible();
    await expect(args.action).toHaveBeenCalledOnce();
    await expect(args.action).toHaveBeenCalledWith({
      messages: [{ id: expect.any(String), role: 'user', parts: [{ type: 'text', text: QUESTION }] }],
    });
    await expect(canvas.getByText(/^\d+ tokens$/)).toBeVisible();
  },
};

/** The action returns `{ ok: false, error }`: the banner explains it and offers Retry (the code is retryable). */
export const TypedFailure: Story = {
  name: 'Typed failure – upstream unavailable',
  args: { action: failingAction },
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    await send(canvas, QUESTION);
    const alert = await canvas.findByRole('alert', {}, { timeout: 3000 });
    await expect(alert).toHaveTextContent('The AI service is unavailable right now.');
    await expect(alert).toHaveTextContent('The model is overloaded. Try again in a minute.');
    const banner = alert.closest('[data-slot=error-banner]');
    if (!(banner instanceof HTMLElement)) throw new TypeError('The alert is not inside an error banner.');
    await userEvent.click(within(banner).getByRole('button', { name: 'Retry' }));
    await expect(args.action).toHaveBeenCalledTimes(2);
    await expect(await canvas.findByRole('alert')).toHaveTextContent('The AI service is unavailable right now.');
  },
};

export const DarkAnswered: Story = {
  name: 'Dark theme – answered',
  args: Answered.args,
  parameters: { theme: 'dark' },
  play: Answered.play,
};

export const DarkTypedFailure: Story = {
  name: 'Dark theme – typed failure',
  args: TypedFailure.args,
  parameters: { theme: 'dark' },
  play: TypedFailure.play,
};
