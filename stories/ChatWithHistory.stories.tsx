import type { Decorator, Meta, StoryObj } from '@storybook/react-vite';
import { useState, type ReactNode } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { ChatWithHistory } from 'colloquy';
import {
  createHistoryDb,
  createHistoryHandlers,
  LONG_CONVERSATION_ID,
  type HistoryDb,
  type HistoryHandlerOptions,
  type SeedConversation,
} from 'colloquy/mocks';

/** The moment of every static story: relative dates, new messages and new conversations all read this clock. */
const STORY_NOW = new Date('2025-03-21T12:00:00.000Z');
const storyClock = (): Date => STORY_NOW;

/**
 * One mock history server: its own in-memory database (the seed: six conversations, one of 5,000 messages) and the
 * handlers serving it. Each story resets its database in `beforeEach`, so a play that deletes or renames leaves
 * nothing behind for the next story, or for the next time you open this one.
 */
function mockHistory(options: HistoryHandlerOptions & { seed?: readonly SeedConversation[] } = {}) {
  const { seed, ...handlerOptions } = options;
  const db = createHistoryDb({ now: storyClock, ...(seed ? { seed } : {}) });
  const handlers = createHistoryHandlers({ tokensPerSecond: 60, ...handlerOptions, db });
  return { db, handlers, reset: () => db.reset() };
}

/**
 * The Playground's database keeps its data in `sessionStorage` (key `colloquy:stories:history`): conversations you
 * create, rename or delete there are still there after a reload of the story, until "Reset demo data" or the tab
 * closes. The other stories use in-memory databases that start from the seed every time.
 */
const PLAYGROUND_KEY = 'colloquy:stories:history';
let playgroundDb: HistoryDb | undefined;
function playground(): HistoryDb {
  playgroundDb ??= createHistoryDb({ storage: sessionStorage, storageKey: PLAYGROUND_KEY });
  return playgroundDb;
}

const base = mockHistory();
const empty = mockHistory({ seed: [] });
const failedSave = mockHistory({ faults: { save: 'server_error' } });
const refusedRename = mockHistory({ faults: { rename: 'server_error' }, latencyMs: 400 });
const failedHistory = mockHistory({ faults: { messages: 'upstream_unavailable' } });
const neverListed = { ...base.handlers, list: mockHistory({ latencyMs: 'infinite' }).handlers.list };

/** Compositions fill their container: the viewport in the story view, 640px on a docs page. */
const fixedHeight: Decorator = (Story, context) => (
  <div style={{ height: context.viewMode === 'docs' ? 640 : '100dvh' }}>
    <Story />
  </div>
);

type Canvas = ReturnType<typeof within>;

const conversationsNav = (canvas: Canvas) => canvas.getAllByRole('navigation', { name: 'Conversations' })[0] as HTMLElement;
/** The button that opens a conversation: its name is the title, then the relative date. */
const findConversation = (canvas: Canvas, title: string) =>
  within(conversationsNav(canvas)).findByRole('button', { name: new RegExp(`^${title}`) }, { timeout: 3000 });
const messages = (canvas: Canvas) => within(canvas.getByRole('log', { name: 'Conversation' })).queryAllByRole('article');

/**
 * A chat with persisted history over docs/protocol.md's history endpoints, answered by colloquy's MSW mock
 * (`createHistoryHandlers` from `colloquy/mocks`, registered per story under `parameters.msw.handlers.history`).
 * The sidebar becomes a drawer below the `md` breakpoint.
 *
 * To try it with your own changes, open "Playground – changes survive a reload": its data lives in `sessionStorage`,
 * so conversations you create, rename or delete are still there after a reload; "Reset demo data" restores the seed.
 *
 * Stories that reach their state through a play function are tagged `!autodocs`: a docs page renders every story at
 * once with one service worker, so one story's handlers would answer them all.
 */
const meta = {
  title: 'Chat/ChatWithHistory',
  component: ChatWithHistory,
  args: {
    baseUrl: '/api',
    title: 'Assistant',
    welcomeMessage: 'Your conversations are saved: pick one on the left, or start a new one.',
    starterPrompts: ['Plan a weekend in Porto', 'Explain SSE in one paragraph'],
    now: STORY_NOW,
    conversationOptions: { now: storyClock },
  },
  decorators: [fixedHeight],
  beforeEach: () => base.reset(),
  parameters: {
    layout: 'fullscreen',
    msw: { handlers: { history: Object.values(base.handlers) } },
  },
} satisfies Meta<typeof ChatWithHistory>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The list loaded, no conversation open: the welcome of a new chat. */
export const Several: Story = {
  name: 'Several conversations – none open',
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await findConversation(canvas, 'Q1 report summary');
    await expect(within(conversationsNav(canvas)).getAllByRole('listitem')).toHaveLength(6);
  },
};

/** A conversation with a markdown and code answer, opened on mount (`defaultConversationId`). */
export const Open: Story = {
  name: 'Conversation open – markdown and code',
  args: { defaultConversationId: 'conv-generics' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(messages(canvas)).toHaveLength(4), { timeout: 3000 });
    await expect(canvas.getByRole('button', { current: true })).toHaveTextContent('Explain TypeScript generics');
  },
};

export const Empty: Story = {
  name: 'Empty history – first visit',
  tags: ['!autodocs'],
  beforeEach: () => empty.reset(),
  parameters: { msw: { handlers: { history: Object.values(empty.handlers) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText(/No conversations yet/, {}, { timeout: 3000 })).toBeVisible();
    await expect(canvas.getByRole('button', { name: 'Plan a weekend in Porto' })).toBeVisible();
  },
};

/** The list request never answers (`latencyMs: 'infinite'` on the list endpoint only): the skeleton stays. */
export const Loading: Story = {
  name: 'Loading – the list never arrives',
  tags: ['!autodocs'],
  parameters: { msw: { handlers: { history: Object.values(neverListed) } } },
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByRole('status')).toHaveTextContent('Loading conversations…');
  },
};

/** Picks one conversation, then another: each shows its own messages, and the list marks the open one. */
export const Switching: Story = {
  name: 'Switching – between two conversations',
  tags: ['!autodocs'],
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await findConversation(canvas, 'Explain TypeScript generics'));
    await waitFor(() => expect(messages(canvas)[0]).toHaveTextContent('Explain TypeScript generics with a code example.'));
    await userEvent.click(await findConversation(canvas, 'What should I see in Lisbon'));
    await waitFor(() => expect(messages(canvas)[0]).toHaveTextContent('What should I see in Lisbon over a weekend?'));
    await expect(messages(canvas)).toHaveLength(4);
    await expect(canvas.getByRole('button', { current: true })).toHaveTextContent('What should I see in Lisbon');
    await expect(canvas.getByRole('heading', { name: 'What should I see in Lisbon over a weekend?' })).toBeVisible();
  },
};

/**
 * 5,000 stored messages: only the newest page (100) renders; scrolling to the top loads the previous page, and the
 * message that was at the top stays where it was.
 */
export const LongConversation: Story = {
  name: 'Very long conversation – 5,000 messages, older pages on scroll',
  tags: ['!autodocs'],
  args: { defaultConversationId: LONG_CONVERSATION_ID },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(messages(canvas)).toHaveLength(100), { timeout: 5000 });
    const log = canvas.getByRole('log', { name: 'Conversation' });
    await waitFor(() => expect(log.scrollHeight - log.scrollTop - log.clientHeight).toBeLessThanOrEqual(1));
    const oldest = messages(canvas)[0] as HTMLElement;
    await expect(oldest).toHaveTextContent('Stand-up note 2451');

    log.scrollTop = 0;
    await waitFor(() => expect(messages(canvas)).toHaveLength(200), { timeout: 5000 });
    await expect(messages(canvas)[0]).toHaveTextContent('Stand-up note 2401');
    // The message that was first is still in view, near the top: the page went in above it.
    const top = log.getBoundingClientRect().top;
    await waitFor(() => expect(Math.abs(oldest.getBoundingClientRect().top - top)).toBeLessThan(log.clientHeight));
    await expect(log.scrollTop).toBeGreaterThan(1000);
  },
};

/** Saving the message fails (500): it stays in the conversation, marked "Not sent", with Retry; nothing is lost. */
export const FailedSave: Story = {
  name: 'Failed save – the message stays, with Retry',
  tags: ['!autodocs'],
  args: { defaultConversationId: 'conv-lisbon' },
  beforeEach: () => failedSave.reset(),
  parameters: { msw: { handlers: { history: Object.values(failedSave.handlers) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(messages(canvas)).toHaveLength(4), { timeout: 3000 });
    await userEvent.type(canvas.getByRole('textbox', { name: 'Message' }), 'Any day trips from Lisbon?{Enter}');
    const alert = await canvas.findByRole('alert', {}, { timeout: 3000 });
    await expect(alert).toHaveTextContent('The server had a problem answering.');
    const question = messages(canvas)[4] as HTMLElement;
    await expect(question).toHaveTextContent('Any day trips from Lisbon?');
    await expect(question).toHaveAttribute('data-status', 'error');
    await expect(within(question).getByText('Not sent')).toBeVisible();
    await expect(within(question).getByRole('button', { name: 'Retry' })).toBeVisible();
  },
};

/** Delete asks first; confirmed, the conversation leaves the list at once. */
export const Deleted: Story = {
  name: 'Delete – confirmed, gone from the list',
  tags: ['!autodocs'],
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await findConversation(canvas, 'What should I see in Lisbon');
    const nav = within(conversationsNav(canvas));
    await userEvent.click(nav.getByRole('button', { name: /^Delete “What should I see in Lisbon/ }));
    await userEvent.click(nav.getByRole('button', { name: 'Delete' }));
    await expect(nav.queryByText(/What should I see in Lisbon/)).toBeNull();
    await expect(nav.getAllByRole('listitem')).toHaveLength(5);
    await expect(nav.getByRole('button', { name: /^Daily stand-up log/ })).toHaveFocus();
  },
};

export const Renamed: Story = {
  name: 'Rename – inline, saved',
  tags: ['!autodocs'],
  args: { defaultConversationId: 'conv-report' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await findConversation(canvas, 'Q1 report summary');
    const nav = within(conversationsNav(canvas));
    await userEvent.click(nav.getByRole('button', { name: 'Rename “Q1 report summary”' }));
    await userEvent.keyboard('Quarterly numbers{Enter}');
    await expect(nav.getByRole('button', { name: /^Quarterly numbers/ })).toHaveFocus();
    await expect(canvas.getByRole('heading', { name: 'Quarterly numbers' })).toBeVisible();
    await waitFor(() => expect(base.db.getConversation('conv-report')?.title).toBe('Quarterly numbers'));
  },
};

/** The server refuses the new title: it shows at once, then the old one comes back with a notice. */
export const RenameRefused: Story = {
  name: 'Rename refused – rolled back with a notice',
  tags: ['!autodocs'],
  beforeEach: () => refusedRename.reset(),
  parameters: { msw: { handlers: { history: Object.values(refusedRename.handlers) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await findConversation(canvas, 'Q1 report summary');
    const nav = within(conversationsNav(canvas));
    await userEvent.click(nav.getByRole('button', { name: 'Rename “Q1 report summary”' }));
    await userEvent.keyboard('Quarterly numbers{Enter}');
    await expect(nav.getByRole('button', { name: /^Quarterly numbers/ })).toBeVisible();
    await expect(await nav.findByRole('alert', {}, { timeout: 3000 })).toHaveTextContent('could not be renamed');
    await expect(nav.getByRole('button', { name: /^Q1 report summary/ })).toBeVisible();
  },
};

/** The open conversation's messages fail to load: the banner explains, Retry loads them again. */
export const HistoryFailed: Story = {
  name: 'Error – a conversation could not load',
  tags: ['!autodocs'],
  args: { defaultConversationId: 'conv-lisbon' },
  beforeEach: () => failedHistory.reset(),
  parameters: { msw: { handlers: { history: Object.values(failedHistory.handlers) } } },
  play: async ({ canvasElement }) => {
    const alert = await within(canvasElement).findByRole('alert', {}, { timeout: 3000 });
    await expect(alert).toHaveTextContent('The AI service is unavailable right now.');
  },
};

/** Below `md` the sidebar is a drawer: the menu button opens it, picking a conversation closes it. */
export const MobileDrawer: Story = {
  name: 'Mobile – conversations drawer',
  tags: ['!autodocs'],
  args: { defaultConversationId: 'conv-generics' },
  globals: { viewport: { value: 'mobile', isRotated: false } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(messages(canvas)).toHaveLength(4), { timeout: 3000 });
    const toggle = canvas.getByRole('button', { name: 'Show conversations' });
    await expect(toggle).toBeVisible();
    await userEvent.click(toggle);
    const drawer = canvas.getByRole('dialog', { name: 'Conversations' });
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect(within(drawer).getByRole('button', { current: true })).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    await expect(canvas.queryByRole('dialog')).toBeNull();
    await expect(toggle).toHaveFocus();

    await userEvent.click(toggle);
    await userEvent.click(within(canvas.getByRole('dialog')).getByRole('button', { name: /^What should I see in Lisbon/ }));
    await expect(canvas.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(messages(canvas)[0]).toHaveTextContent('What should I see in Lisbon over a weekend?'));
    // Left open for review.
    await userEvent.click(toggle);
  },
};

export const MobileConversation: Story = {
  name: 'Mobile – conversation open',
  tags: ['!autodocs'],
  args: { defaultConversationId: 'conv-lisbon' },
  globals: { viewport: { value: 'mobile', isRotated: false } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(messages(canvas)).toHaveLength(4), { timeout: 3000 });
    await expect(canvas.queryByRole('navigation')).toBeNull();
  },
};

export const Dark: Story = {
  name: 'Dark theme – conversation open',
  tags: ['!autodocs'],
  args: Open.args,
  parameters: { theme: 'dark' },
  play: Open.play,
};

export const DarkMobileDrawer: Story = {
  name: 'Dark theme – mobile drawer',
  tags: ['!autodocs'],
  args: MobileDrawer.args,
  globals: MobileDrawer.globals,
  parameters: { theme: 'dark' },
  play: MobileDrawer.play,
};

export const DarkFailedSave: Story = {
  name: 'Dark theme – failed save',
  tags: ['!autodocs'],
  args: FailedSave.args,
  beforeEach: FailedSave.beforeEach,
  parameters: { ...FailedSave.parameters, theme: 'dark' },
  play: FailedSave.play,
};

/** A bar with "Reset demo data": clears the Playground's stored data, then remounts the story so it loads the seed. */
function ResetDemoData({ children }: { children: ReactNode }) {
  const [generation, setGeneration] = useState(0);
  return (
    <div style={{ display: 'flex', height: '100%', flexDirection: 'column' }}>
      <div style={{ display: 'flex', justifyContent: 'flex-end', padding: 8, borderBottom: '1px solid var(--color-border)' }}>
        <button
          type="button"
          onClick={() => {
            playground().reset();
            setGeneration((value) => value + 1);
          }}
          style={{ padding: '4px 10px', border: '1px solid var(--color-border)', borderRadius: 6, background: 'var(--color-background)', color: 'var(--color-foreground)' }}
        >
          Reset demo data
        </button>
      </div>
      <div key={generation} style={{ flex: 1, minHeight: 0 }}>
        {children}
      </div>
    </div>
  );
}

/**
 * Try it: create, rename and delete conversations, send messages. The data lives in `sessionStorage`, so it survives
 * a reload of this story; "Reset demo data" goes back to the seed. Real clock, real ids: not for screenshots.
 */
export const Playground: Story = {
  name: 'Playground – changes survive a reload',
  tags: ['!autodocs'],
  args: { now: undefined, conversationOptions: {} },
  decorators: [
    (Story) => (
      <ResetDemoData>
        <Story />
      </ResetDemoData>
    ),
  ],
  // Registered here rather than in `parameters`, so `sessionStorage` is read only when this story opens.
  beforeEach: ({ msw }) => {
    msw.use(...Object.values(createHistoryHandlers({ db: playground(), tokensPerSecond: 40 })));
  },
};
