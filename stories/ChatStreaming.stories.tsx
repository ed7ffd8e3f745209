import type { Decorator, Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { ChatStreaming, type ChatStreamingProps } from 'colloquy';
import { createChatHandlers, SERVER_ERROR_CODES, type ChatFault, type ChatHandlerOptions } from 'colloquy/mocks';
import {
  fixtureClock,
  lengthLimitConversation,
  longConversation,
  longWordsConversation,
  markdownConversation,
  rtlConversation,
  sequentialIds,
  shortConversation,
} from './fixtures/conversations';

/**
 * Story-only controls of the mock server, not props of `ChatStreaming` (the render function drops them).
 *
 * How they reach MSW: `mswLoader` (msw-storybook-addon/csf3, registered in preview.tsx) puts the worker on
 * `context.msw`, resets it and `use()`s the story's `parameters.msw.handlers` each time the story loads. The
 * "Streaming – live" story then `use()`s handlers built from these args in its `beforeEach`; `use()` prepends,
 * so they win. Changing a control re-renders the story, which runs loaders and `beforeEach` again (without
 * remounting the chat, so the conversation stays): the next message uses the new speed, latency or fault.
 * Parameters cannot do this: they are static, and `parameters.msw` cannot read args.
 */
interface MockServerArgs {
  /** Tokens the mock streams per second. */
  tokensPerSecond?: number;
  /** Wait before the mock's response headers, in ms. */
  latencyMs?: number;
  /** A failure the mock plays instead of the answer. */
  fault?: ChatFault | 'none';
}

type ChatStreamingStoryArgs = ChatStreamingProps & MockServerArgs;

const FAULTS: ReadonlyArray<ChatFault | 'none'> = [
  'none',
  ...SERVER_ERROR_CODES,
  'network',
  'bad_response',
  'stream_cut',
  'stream_truncated',
  'malformed_chunk',
  'error_event',
];

/** The mock protocol server for one scenario: the `chat` entry of `parameters.msw.handlers`. */
const mockServer = (options: ChatHandlerOptions = {}) => Object.values(createChatHandlers({ tokensPerSecond: 60, ...options }));

/** A stopped clock and counted ids, so messages sent by a play function render the same time in every run. */
const liveOptions = { now: fixtureClock, generateId: sequentialIds('chat-streaming') } satisfies ChatStreamingProps['chatOptions'];

/** Compositions fill their container: the viewport in the story view, 640px on a docs page. */
const fixedHeight: Decorator = (Story, context) => (
  <div style={{ height: context.viewMode === 'docs' ? 640 : '100dvh' }}>
    <Story />
  </div>
);

type Canvas = ReturnType<typeof within>;

/** Types `text` into the composer and presses Enter, as a user sends a message. */
async function send(canvas: Canvas, text: string): Promise<HTMLElement> {
  const input = canvas.getByRole('textbox', { name: 'Message' });
  await userEvent.type(input, text);
  await userEvent.keyboard('{Enter}');
  return input;
}

/** The error banner, found through its alert, and its Retry button (the message row has one too). */
async function findBanner(canvas: Canvas) {
  const alert = await canvas.findByRole('alert', {}, { timeout: 3000 });
  const banner: unknown = alert.closest('[data-slot=error-banner]');
  if (!(banner instanceof HTMLElement)) throw new TypeError('The alert is not inside an error banner.');
  return { alert, banner, retry: () => within(banner).queryByRole('button', { name: 'Retry' }) };
}

/**
 * A streaming chat over the protocol's SSE endpoint, answered by colloquy's MSW mock (`colloquy/mocks`). Stories
 * without a play function render fixed conversations (`chatOptions.initialMessages`) and are stable for screenshots.
 *
 * Stories that script the mock (`parameters.msw` or `context.msw`) and reach their state through a play function
 * are tagged `!autodocs`: a docs page renders every story at once with one service worker, so the last story's
 * handlers would answer every chat on the page, and play functions do not run there anyway.
 */
const meta = {
  title: 'Chat/ChatStreaming',
  component: ChatStreaming,
  args: { chatOptions: liveOptions },
  argTypes: {
    tokensPerSecond: { table: { disable: true } },
    latencyMs: { table: { disable: true } },
    fault: { table: { disable: true } },
  },
  render: ({ tokensPerSecond: _tokensPerSecond, latencyMs: _latencyMs, fault: _fault, ...props }) => <ChatStreaming {...props} />,
  decorators: [fixedHeight],
  parameters: {
    layout: 'fullscreen',
    msw: { handlers: { chat: mockServer() } },
  },
} satisfies Meta<ChatStreamingStoryArgs>;

export default meta;
type Story = StoryObj<typeof meta>;

/** No messages, no welcome: the headline and the composer. */
export const Empty: Story = {};

export const Welcome: Story = {
  name: 'Welcome – starter prompts',
  args: {
    title: 'Support',
    welcomeMessage: 'Ask about your account, billing or the API. Answers stream in as they are written.',
    starterPrompts: ['How do I rotate my API key?', 'Explain my last invoice', 'Show me some markdown and code'],
    placeholder: 'Ask Support…',
  },
};

/** The request never answers (`latencyMs: 'infinite'`): the user's message waits with the typing dots. */
export const Sending: Story = {
  name: 'Sending – waiting for the first token',
  tags: ['!autodocs'],
  parameters: { msw: { handlers: { chat: mockServer({ latencyMs: 'infinite' }) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const input = await send(canvas, 'What is the capital of Australia?');
    await expect(await canvas.findByText('Sending…')).toBeVisible();
    await expect(canvasElement.querySelector('[data-slot=typing-indicator]')).not.toBeNull();
    await expect(canvas.getByRole('log', { name: 'Conversation' })).toHaveAttribute('aria-busy', 'true');
    await expect(canvas.getByRole('status')).toHaveTextContent('Generating response');
    await expect(canvas.getByRole('button', { name: 'Stop' })).toBeVisible();
    await expect(input).toHaveValue('');
    await expect(input).toHaveFocus();
  },
};

/**
 * A long answer streaming live. Use the controls to change the mock's speed, latency or fault; the next message
 * uses them (see `MockServerArgs` in this file for how). Timing-dependent: not for screenshots (the "mid-answer"
 * story below is the still picture of this state).
 */
export const StreamingLive: Story = {
  name: 'Streaming – live (speed, latency, fault controls)',
  tags: ['!autodocs'],
  parameters: {
    visual: {
      disable: true,
      reason: 'It streams at a live rate, so the frame a screenshot catches depends on timing; "Streaming – mid-answer" pictures the same state held still.',
    },
  },
  args: { tokensPerSecond: 12, latencyMs: 300, fault: 'none' },
  argTypes: {
    tokensPerSecond: { control: { type: 'range', min: 1, max: 200, step: 1 }, table: { disable: false } },
    latencyMs: { control: { type: 'range', min: 0, max: 5000, step: 100 }, table: { disable: false } },
    fault: { control: 'select', options: FAULTS, table: { disable: false } },
  },
  beforeEach: ({ args, msw }) => {
    const { tokensPerSecond, latencyMs, fault } = args;
    msw.use(...mockServer({ tokensPerSecond, latencyMs, ...(fault === undefined || fault === 'none' ? {} : { fault }) }));
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await send(canvas, 'Tell me something long');
    await canvas.findByText(/^This is a long answer/, {}, { timeout: 3000 });
    await expect(canvasElement.querySelector('[data-slot=message][data-status=streaming]')).not.toBeNull();
    await expect(canvas.getByRole('log', { name: 'Conversation' })).toHaveAttribute('aria-busy', 'true');
    await expect(canvas.getByRole('button', { name: 'Stop' })).toBeVisible();
  },
};

/**
 * The streaming state held still: the mock sends the first tokens of its answer, then keeps the connection open
 * without another byte (`fault: 'stream_stall'`). The message shows its caret, the log is busy and Stop is offered;
 * nothing moves, so this is the screenshot of a stream in progress.
 */
export const StreamingMidAnswer: Story = {
  name: 'Streaming – mid-answer',
  tags: ['!autodocs'],
  parameters: {
    msw: {
      handlers: {
        chat: mockServer({
          tokensPerSecond: 200,
          reply: 'Canberra is the capital of Australia. It was chosen in 1908 as a compromise between Sydney and Melbourne, and',
          fault: 'stream_stall',
          faultAfterTokens: 14,
        }),
      },
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await send(canvas, 'What is the capital of Australia?');
    await canvas.findByText(/^Canberra is the capital of Australia\. It was chosen in 1908 as a compromise$/, {}, { timeout: 4000 });
    await expect(canvasElement.querySelector('[data-slot=message][data-status=streaming]')).not.toBeNull();
    await expect(canvas.getByRole('log', { name: 'Conversation' })).toHaveAttribute('aria-busy', 'true');
    await expect(canvas.getByRole('button', { name: 'Stop' })).toBeVisible();
  },
};

/**
 * Stop while the answer streams: the text so far stays, marked "Stopped", with Retry. The mock streams 4 tokens
 * a second and Stop follows the sixth token within a few ms, so the kept text is "This is a long answer, written".
 */
export const CancelledMidAnswer: Story = {
  name: 'Streaming – cancelled mid-answer',
  tags: ['!autodocs'],
  parameters: { msw: { handlers: { chat: mockServer({ tokensPerSecond: 4 }) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const input = await send(canvas, 'Tell me something long');
    const partial = await canvas.findByText(/^This is a long answer, written/, {}, { timeout: 4000 });
    await userEvent.click(canvas.getByRole('button', { name: 'Stop' }));
    await expect(await canvas.findByText('Stopped')).toBeVisible();
    await expect(partial).toBeVisible();
    await expect(canvas.queryByText(/stops following the moment you scroll up/)).toBeNull();
    await expect(canvas.getByRole('log', { name: 'Conversation' })).not.toHaveAttribute('aria-busy');
    await expect(canvas.getByRole('status')).toHaveTextContent('Response stopped');
    await expect(canvas.getByRole('button', { name: 'Retry' })).toBeVisible();
    await expect(input).toHaveFocus();
  },
};

export const InvalidInput: Story = {
  name: 'Error – 400 invalid input',
  tags: ['!autodocs'],
  parameters: { msw: { handlers: { chat: mockServer({ fault: 'invalid_input' }) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await send(canvas, 'What is the capital of Australia?');
    const { alert, retry } = await findBanner(canvas);
    await expect(alert).toHaveTextContent('That message could not be sent.');
    await expect(alert).toHaveTextContent('Edit your message and send it again.');
    await expect(retry()).toBeNull();
    await expect(canvas.getByText('Not sent')).toBeVisible();
  },
};

/** The server's limit (200 characters here) is lower than the client's (4,000), so the server refuses with 413. */
export const MessageTooLong: Story = {
  name: 'Error – 413 message too long',
  tags: ['!autodocs'],
  parameters: { msw: { handlers: { chat: mockServer({ maxInputLength: 200 }) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const input = canvas.getByRole('textbox', { name: 'Message' });
    await userEvent.click(input);
    await userEvent.paste('Please proofread this paragraph. '.repeat(8));
    await userEvent.keyboard('{Enter}');
    const { alert, retry } = await findBanner(canvas);
    await expect(alert).toHaveTextContent('That message is too long.');
    await expect(alert).toHaveTextContent('A message can be at most 200 characters.');
    await expect(retry()).toBeNull();
  },
};

export const Unauthorized: Story = {
  name: 'Error – 401 unauthorized (check key)',
  tags: ['!autodocs'],
  parameters: { msw: { handlers: { chat: mockServer({ fault: 'unauthorized' }) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await send(canvas, 'What is the capital of Australia?');
    const { alert, retry } = await findBanner(canvas);
    await expect(alert).toHaveTextContent('You are not signed in.');
    await expect(alert).toHaveTextContent('check the API key configured on the server');
    await expect(retry()).toBeNull();
  },
};

/**
 * 429 with `Retry-After: 30`: the banner counts down (outside the alert) and the composer is blocked until then.
 * The countdown runs on the real clock, so the number may read 30 or 29.
 */
export const RateLimited: Story = {
  name: 'Error – 429 rate limited, countdown',
  tags: ['!autodocs'],
  parameters: { msw: { handlers: { chat: mockServer({ fault: 'rate_limited', retryAfterSeconds: 30 }) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await send(canvas, 'What is the capital of Australia?');
    const { alert, banner, retry } = await findBanner(canvas);
    await expect(alert).toHaveTextContent('Too many messages.');
    await expect(banner).toHaveAttribute('data-waiting');
    await expect(within(banner).getByText(/^You can send again in (30|29) s\.$/)).toBeVisible();
    await expect(retry()).toBeNull();
    await expect(canvas.getByRole('button', { name: 'Send' })).toBeDisabled();
  },
};

/** 500, then the retry flow: the server recovers, Retry sends the same message again and the answer arrives. */
export const ServerError: Story = {
  name: 'Error – 500 server error, then retry',
  tags: ['!autodocs'],
  parameters: { msw: { handlers: { chat: mockServer({ fault: 'server_error' }) } } },
  play: async ({ canvasElement, msw }) => {
    const canvas = within(canvasElement);
    const input = await send(canvas, 'What is the capital of Australia?');
    const { alert, retry } = await findBanner(canvas);
    await expect(alert).toHaveTextContent('The server had a problem answering.');
    const retryButton = retry();
    await expect(retryButton).toBeVisible();

    // The server recovers: handlers added with use() take precedence over the story's parameters.
    msw.use(...mockServer({ tokensPerSecond: 0 }));
    await userEvent.click(retryButton as HTMLElement);
    await expect(await canvas.findByText(/You wrote: "What is the capital of Australia\?"/, {}, { timeout: 3000 })).toBeVisible();
    await waitFor(() => expect(canvas.queryByRole('alert')).toBeNull());
    await expect(canvas.getAllByText('What is the capital of Australia?')).toHaveLength(1);
    await expect(input).toHaveFocus();
  },
};

/** The connection drops after 8 tokens: the partial answer stays, marked interrupted, and Retry is offered. */
export const NetworkDrop: Story = {
  name: 'Error – network drop mid-stream',
  tags: ['!autodocs'],
  parameters: { msw: { handlers: { chat: mockServer({ fault: 'stream_cut', faultAfterTokens: 8, tokensPerSecond: 50 }) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await send(canvas, 'What is the capital of Australia?');
    const { alert, retry } = await findBanner(canvas);
    await expect(alert).toHaveTextContent('The connection was lost.');
    await expect(retry()).toBeVisible();
    await expect(canvas.getByText('Answer interrupted')).toBeVisible();
    await expect(canvasElement.querySelector('[data-slot=message][data-role=assistant][data-status=error]')).not.toBeNull();
  },
};

/** The stream closes cleanly after 8 tokens but without `[DONE]`: the answer is incomplete. */
export const TruncatedStream: Story = {
  name: 'Error – truncated stream (no [DONE])',
  tags: ['!autodocs'],
  parameters: {
    msw: { handlers: { chat: mockServer({ fault: 'stream_truncated', faultAfterTokens: 8, tokensPerSecond: 0 }) } },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await send(canvas, 'What is the capital of Australia?');
    const { alert, retry } = await findBanner(canvas);
    await expect(alert).toHaveTextContent('The answer was cut off.');
    await expect(retry()).toBeVisible();
    await expect(canvas.getByText('Answer interrupted')).toBeVisible();
  },
};

/** The model's provider fails mid-answer: `event: error` with `upstream_unavailable`. */
export const UpstreamErrorEvent: Story = {
  name: 'Error – upstream unavailable mid-stream',
  tags: ['!autodocs'],
  parameters: {
    msw: { handlers: { chat: mockServer({ fault: 'error_event', faultAfterTokens: 8, tokensPerSecond: 0 }) } },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await send(canvas, 'What is the capital of Australia?');
    const { alert, retry } = await findBanner(canvas);
    await expect(alert).toHaveTextContent('The AI service is unavailable right now.');
    await expect(retry()).toBeVisible();
  },
};

/**
 * The client allows one message a minute (`chatOptions.rateLimit`): the second send is refused before any
 * request, the text stays in the composer and Send stays disabled while the countdown runs (real clock).
 */
export const ClientRateLimited: Story = {
  name: 'Rate limited – composer blocked by the client limit',
  tags: ['!autodocs'],
  args: { chatOptions: { ...liveOptions, rateLimit: { maxRequests: 1, intervalMs: 60_000 } } },
  parameters: { msw: { handlers: { chat: mockServer({ tokensPerSecond: 0 }) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await send(canvas, 'First question');
    await canvas.findByText(/You wrote: "First question"/, {}, { timeout: 3000 });
    const input = await send(canvas, 'Second question');
    await expect(canvas.getByText(/^Too many messages\. You can send again in (60|59) s\.$/)).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Send' })).toBeDisabled();
    await expect(input).toHaveValue('Second question');
    await expect(canvasElement.querySelectorAll('[data-slot=message]')).toHaveLength(2);
  },
};

/** 64 messages: the log opens pinned to the newest one. */
export const LongConversation: Story = {
  name: 'Long conversation – 64 messages',
  args: { title: 'Support', chatOptions: { ...liveOptions, initialMessages: longConversation } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const log = canvas.getByRole('log', { name: 'Conversation' });
    await expect(log.querySelectorAll('[data-slot=message]')).toHaveLength(64);
    await waitFor(() => expect(log.scrollHeight - log.scrollTop - log.clientHeight).toBeLessThanOrEqual(1));
    await expect(log).toHaveAttribute('data-pinned');
    await expect(canvas.queryByRole('button', { name: 'Jump to latest' })).toBeNull();
  },
};

export const MarkdownAndCode: Story = {
  name: 'Markdown and code – table, code blocks, quote',
  args: { chatOptions: { ...liveOptions, initialMessages: markdownConversation } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByRole('table')).toBeVisible();
    await expect(canvasElement.querySelectorAll('[data-slot=code-block]')).toHaveLength(2);
  },
};

/** Arabic and Hebrew messages in a left-to-right interface: each block takes its direction from its text. */
export const RightToLeftMessages: Story = {
  name: 'Right-to-left – Arabic and Hebrew messages',
  args: { chatOptions: { ...liveOptions, initialMessages: rtlConversation } },
};

/** The same conversation with the whole interface right-to-left (`dir="rtl"` on the root). */
export const RightToLeftInterface: Story = {
  name: 'Right-to-left – whole interface',
  args: { dir: 'rtl', placeholder: 'اكتب رسالة…', chatOptions: { ...liveOptions, initialMessages: rtlConversation } },
};

export const LongWordsAndUrls: Story = {
  name: 'Very long words and URLs',
  args: { chatOptions: { ...liveOptions, initialMessages: longWordsConversation } },
  play: async ({ canvasElement }) => {
    const log = within(canvasElement).getByRole('log', { name: 'Conversation' });
    // Nothing widens the conversation: long lines wrap, and code blocks scroll inside themselves.
    await expect(log.scrollWidth).toBeLessThanOrEqual(log.clientWidth);
  },
};

/** The model hit its token limit (`finishReason: 'length'`): the notice says so and Regenerate is offered. */
export const CutOffByLength: Story = {
  name: 'Answer cut off – length limit',
  args: { chatOptions: { ...liveOptions, initialMessages: lengthLimitConversation } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByText('Answer cut off: length limit')).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Regenerate' })).toBeVisible();
  },
};

export const Mobile: Story = {
  name: 'Mobile – conversation',
  args: { title: 'Support', chatOptions: { ...liveOptions, initialMessages: shortConversation } },
  globals: { viewport: { value: 'mobile', isRotated: false } },
};

export const MobileMarkdown: Story = {
  name: 'Mobile – markdown and code',
  args: { chatOptions: { ...liveOptions, initialMessages: markdownConversation } },
  globals: { viewport: { value: 'mobile', isRotated: false } },
  play: async ({ canvasElement }) => {
    const log = within(canvasElement).getByRole('log', { name: 'Conversation' });
    await expect(log.scrollWidth).toBeLessThanOrEqual(log.clientWidth);
  },
};

export const DarkWelcome: Story = {
  name: 'Dark theme – welcome',
  args: Welcome.args,
  parameters: { theme: 'dark' },
};

export const DarkMarkdown: Story = {
  name: 'Dark theme – markdown and code',
  args: MarkdownAndCode.args,
  parameters: { theme: 'dark' },
  play: MarkdownAndCode.play,
};

export const DarkCutOff: Story = {
  name: 'Dark theme – answer cut off',
  args: CutOffByLength.args,
  parameters: { theme: 'dark' },
  play: CutOffByLength.play,
};

export const DarkCancelled: Story = {
  name: 'Dark theme – cancelled mid-answer',
  tags: ['!autodocs'],
  parameters: { ...CancelledMidAnswer.parameters, theme: 'dark' },
  play: CancelledMidAnswer.play,
};

export const DarkNetworkDrop: Story = {
  name: 'Dark theme – network drop mid-stream',
  tags: ['!autodocs'],
  parameters: { ...NetworkDrop.parameters, theme: 'dark' },
  play: NetworkDrop.play,
};

export const DarkRateLimited: Story = {
  name: 'Dark theme – rate limited',
  tags: ['!autodocs'],
  parameters: { ...RateLimited.parameters, theme: 'dark' },
  play: RateLimited.play,
};
