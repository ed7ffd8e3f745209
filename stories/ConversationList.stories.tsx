import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, within } from 'storybook/test';
import { ChatError, ConversationList, type Conversation, type ConversationListState } from 'colloquy';
import { createHistorySeed } from 'colloquy/mocks';

/** The moment relative dates count from: fixed, so "yesterday" reads the same in every run. */
const STORY_NOW = new Date('2025-03-21T12:00:00.000Z');

/** The mock's seeded conversations, newest first (the order the server lists them in). */
const seeded: Conversation[] = createHistorySeed()
  .map((entry) => entry.conversation)
  .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));

const idle = (conversations: Conversation[] = seeded, nextCursor: string | null = null): ConversationListState => ({
  status: 'idle',
  conversations,
  nextCursor,
});

const longTitles: Conversation[] = [
  {
    id: 'long-1',
    title: 'A very long conversation title that keeps going well past the width of the sidebar, so it is cut with an ellipsis',
    createdAt: '2025-03-21T08:00:00.000Z',
    updatedAt: '2025-03-21T11:59:30.000Z',
  },
  {
    id: 'long-2',
    title: 'Supercalifragilisticexpialidocious-and-an-unbroken-identifier-like-string',
    createdAt: '2025-02-01T08:00:00.000Z',
    updatedAt: '2025-02-01T08:00:00.000Z',
  },
  ...seeded.slice(0, 2),
];

type Canvas = ReturnType<typeof within>;

/** The button that opens a conversation: its name is the title, then the relative date. */
const conversationButton = (canvas: Canvas, title: string) => canvas.getByRole('button', { name: new RegExp(`^${title}`) });

/**
 * The sidebar of persisted conversations, on its own: every state is a prop, so these stories are static and need
 * no server. `ChatWithHistory` binds it to `useConversations` (see its stories for the live flows).
 */
const meta = {
  title: 'Parts/ConversationList',
  component: ConversationList,
  args: {
    className: 'h-full',
    list: idle(),
    selectedId: 'conv-generics',
    now: STORY_NOW,
    onSelect: fn(),
    onCreate: fn(),
    onRename: fn(),
    onRemove: fn(),
    onLoadMore: fn(),
    onRetry: fn(),
    onDismissFailure: fn(),
  },
  decorators: [
    (Story) => (
      <div style={{ display: 'flex', width: 288, height: 560, flexDirection: 'column', border: '1px solid var(--color-border)' }}>
        <Story />
      </div>
    ),
  ],
} satisfies Meta<typeof ConversationList>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Six conversations, one open (`aria-current`); relative dates from a fixed "now". */
export const Several: Story = {
  name: 'Several conversations – one open',
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    const current = canvas.getByRole('button', { current: true });
    await expect(current).toHaveTextContent('Explain TypeScript generics');
    await expect(canvas.getByText('19 hours ago')).toBeVisible();
    // Arrow keys move between conversations; Enter opens one.
    current.focus();
    await userEvent.keyboard('{ArrowDown}{Enter}');
    await expect(args.onSelect).toHaveBeenCalledWith('conv-sourdough');
  },
};

export const Empty: Story = {
  name: 'Empty – no conversations yet',
  args: { list: idle([]), selectedId: null },
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByText(/No conversations yet/)).toBeVisible();
  },
};

/** The first page is on its way: a skeleton, announced once as "Loading conversations…". */
export const Loading: Story = {
  name: 'Loading – skeleton',
  args: { list: { status: 'loading', page: 'first', requestId: 1, conversations: [], nextCursor: null }, selectedId: null },
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByRole('status')).toHaveTextContent('Loading conversations…');
  },
};

export const LoadFailed: Story = {
  name: 'Error – the list could not load',
  args: {
    list: { status: 'error', page: 'first', error: new ChatError('upstream_unavailable', 'Unavailable.'), conversations: [], nextCursor: null },
    selectedId: null,
  },
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(canvas.getByRole('alert')).toHaveTextContent('The conversations could not be loaded.');
    await userEvent.click(canvas.getByRole('button', { name: 'Retry' }));
    await expect(args.onRetry).toHaveBeenCalledOnce();
  },
};

export const MorePages: Story = {
  name: 'More pages – Load more',
  args: { list: idle(seeded.slice(0, 4), 'next-page') },
  play: async ({ args, canvasElement }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Load more' }));
    await expect(args.onLoadMore).toHaveBeenCalledOnce();
  },
};

export const LoadingMore: Story = {
  name: 'More pages – loading the next one',
  args: { list: { status: 'loading', page: 'more', requestId: 2, conversations: seeded.slice(0, 4), nextCursor: 'next-page' } },
};

/** Each conversation's Rename opens an inline input: Enter saves, Escape cancels, leaving it saves. */
export const Renaming: Story = {
  name: 'Rename – inline input',
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Rename “Q1 report summary”' }));
    const input = canvas.getByRole('textbox', { name: 'Conversation title' });
    await expect(input).toHaveFocus();
    await userEvent.keyboard('Quarterly numbers{Escape}');
    await expect(args.onRename).not.toHaveBeenCalled();
    await expect(conversationButton(canvas, 'Q1 report summary')).toHaveFocus();

    await userEvent.click(canvas.getByRole('button', { name: 'Rename “Q1 report summary”' }));
    await userEvent.keyboard('Quarterly numbers{Enter}');
    await expect(args.onRename).toHaveBeenCalledWith('conv-report', 'Quarterly numbers');
    // The story leaves the input open, as a designer reviews it.
    await userEvent.click(canvas.getByRole('button', { name: 'Rename “Q1 report summary”' }));
  },
};

/** Delete asks inline first; focus starts on Cancel. */
export const ConfirmingDelete: Story = {
  name: 'Delete – inline confirmation',
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Delete “Q1 report summary”' }));
    const confirm = canvas.getByRole('group', { name: 'Delete “Q1 report summary”' });
    await expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await expect(args.onRemove).toHaveBeenCalledWith('conv-report');
  },
};

/** A rename waits for the server: the row's actions wait too. */
export const Pending: Story = {
  name: 'Pending – a rename awaiting the server',
  args: { pending: { 'conv-report': { kind: 'rename', previous: seeded[0]! } } },
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByRole('button', { name: 'Rename “Q1 report summary”' })).toBeDisabled();
  },
};

/** The server refused a delete: the conversation is back, and the notice says so. */
export const RefusedChange: Story = {
  name: 'Error – a refused delete, rolled back',
  args: { failure: { operation: 'remove', conversationId: 'conv-lisbon', error: new ChatError('server_error', 'The server failed.') } },
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByRole('alert')).toHaveTextContent('could not be deleted');
  },
};

export const LongTitles: Story = {
  name: 'Long titles – truncated',
  args: { list: idle(longTitles), selectedId: 'long-1' },
};

export const Dark: Story = {
  name: 'Dark theme – several conversations',
  parameters: { theme: 'dark' },
};

export const DarkConfirmingDelete: Story = {
  name: 'Dark theme – delete confirmation',
  parameters: { theme: 'dark' },
  play: ConfirmingDelete.play,
};

export const DarkRefusedChange: Story = {
  name: 'Dark theme – refused change',
  args: RefusedChange.args,
  parameters: { theme: 'dark' },
};
