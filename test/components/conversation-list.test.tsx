import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import {
  ChatError,
  ChatProvider,
  ConversationList,
  defaultLabels,
  type Conversation,
  type ConversationListProps,
  type ConversationListState,
} from 'colloquy';

const NOW = new Date('2025-03-21T12:00:00.000Z');

function conversation(id: string, title: string, updatedAt: string): Conversation {
  return { id, title, createdAt: updatedAt, updatedAt };
}

const conversations: Conversation[] = [
  conversation('c1', 'Q1 report summary', '2025-03-21T11:58:00.000Z'),
  conversation('c2', 'TypeScript generics', '2025-03-20T09:00:00.000Z'),
  conversation('c3', 'Dense sourdough', '2025-03-14T18:35:00.000Z'),
  conversation('c4', 'Lisbon weekend', '2024-11-02T10:03:00.000Z'),
];

const idle = (items: Conversation[] = conversations, nextCursor: string | null = null): ConversationListState => ({
  status: 'idle',
  conversations: items,
  nextCursor,
});

function renderList(props: Partial<ConversationListProps> = {}) {
  const user = userEvent.setup();
  const handlers = {
    onSelect: vi.fn(),
    onCreate: vi.fn(),
    onRename: vi.fn(),
    onRemove: vi.fn(),
    onLoadMore: vi.fn(),
    onRetry: vi.fn(),
    onDismissFailure: vi.fn(),
  };
  const view = render(<ConversationList list={idle()} selectedId="c2" now={NOW} {...handlers} {...props} />);
  return { user, ...handlers, ...view };
}

const nav = () => screen.getByRole('navigation', { name: 'Conversations' });
const item = (title: string) => screen.getByText(title).closest('li') as HTMLElement;
/** The button that opens the conversation: its name is the title, then the date. */
const selectButton = (title: string) => within(item(title)).getByRole('button', { name: new RegExp(`^${title}`) });

/** A list that applies renames and removals at once, as the store does optimistically. */
function Stateful({ onRemove }: { onRemove?: (id: string) => void }) {
  const [items, setItems] = useState(conversations);
  return (
    <ConversationList
      list={idle(items)}
      now={NOW}
      onSelect={() => {}}
      onCreate={() => {}}
      onRename={(id, title) => setItems((current) => current.map((entry) => (entry.id === id ? { ...entry, title } : entry)))}
      onRemove={(id) => {
        onRemove?.(id);
        setItems((current) => current.filter((entry) => entry.id !== id));
      }}
    />
  );
}

describe('ConversationList', () => {
  it('is a labelled nav of buttons, the open one aria-current, each with a relative date', () => {
    renderList();
    expect(nav()).toHaveAttribute('data-slot', 'conversation-list');
    const buttons = within(nav()).getAllByRole('button', { current: false }).filter((button) => button.dataset['slot'] === 'conversation-select');
    expect(buttons.map((button) => button.querySelector('[data-slot=conversation-title]')?.textContent)).toEqual([
      'Q1 report summary',
      'Dense sourdough',
      'Lisbon weekend',
    ]);
    const current = within(nav()).getByRole('button', { current: true });
    expect(current).toHaveTextContent('TypeScript generics');
    expect(item('TypeScript generics')).toHaveAttribute('data-current');
    expect(within(item('Q1 report summary')).getByText('2 minutes ago')).toHaveAttribute('datetime', '2025-03-21T11:58:00.000Z');
    expect(within(item('TypeScript generics')).getByText('yesterday')).toBeInTheDocument();
    expect(within(item('Dense sourdough')).getByText('6 days ago')).toBeInTheDocument();
    expect(within(item('Lisbon weekend')).getByText('4 months ago')).toBeInTheDocument();
  });

  it('labels every icon button with the conversation it acts on', () => {
    renderList();
    expect(screen.getByRole('button', { name: 'Rename “Lisbon weekend”' })).toHaveAttribute('type', 'button');
    expect(screen.getByRole('button', { name: 'Delete “Lisbon weekend”' })).toHaveAttribute('type', 'button');
  });

  it('selects on click and on Enter, and moves between conversations with the arrow keys, Home and End', async () => {
    const { user, onSelect } = renderList();
    await user.click(selectButton('Dense sourdough'));
    expect(onSelect).toHaveBeenLastCalledWith('c3');
    await user.keyboard('{ArrowDown}');
    expect(selectButton('Lisbon weekend')).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(selectButton('Lisbon weekend')).toHaveFocus();
    await user.keyboard('{Home}');
    expect(selectButton('Q1 report summary')).toHaveFocus();
    await user.keyboard('{ArrowUp}');
    expect(selectButton('Q1 report summary')).toHaveFocus();
    await user.keyboard('{End}{ArrowUp}{Enter}');
    expect(onSelect).toHaveBeenLastCalledWith('c3');
  });

  it('offers New chat', async () => {
    const { user, onCreate } = renderList();
    await user.click(screen.getByRole('button', { name: 'New chat' }));
    expect(onCreate).toHaveBeenCalledOnce();
  });

  describe('rename', () => {
    it('opens an input with the title selected; Enter saves and returns focus to the conversation', async () => {
      const { user, onRename } = renderList();
      await user.click(screen.getByRole('button', { name: 'Rename “Lisbon weekend”' }));
      const input = screen.getByRole('textbox', { name: 'Conversation title' });
      expect(input).toHaveFocus();
      expect(input).toHaveValue('Lisbon weekend');
      expect((input as HTMLInputElement).selectionEnd).toBe('Lisbon weekend'.length);
      await user.keyboard('Porto weekend{Enter}');
      expect(onRename).toHaveBeenCalledExactlyOnceWith('c4', 'Porto weekend');
      expect(screen.queryByRole('textbox', { name: 'Conversation title' })).not.toBeInTheDocument();
      expect(selectButton('Lisbon weekend')).toHaveFocus();
    });

    it('Escape cancels without saving', async () => {
      const { user, onRename } = renderList();
      await user.click(screen.getByRole('button', { name: 'Rename “Lisbon weekend”' }));
      await user.keyboard('Something else{Escape}');
      expect(onRename).not.toHaveBeenCalled();
      expect(selectButton('Lisbon weekend')).toHaveFocus();
    });

    it('leaving the input saves; an empty or unchanged title saves nothing', async () => {
      const { user, onRename } = renderList();
      await user.click(screen.getByRole('button', { name: 'Rename “Lisbon weekend”' }));
      await user.keyboard('Porto');
      await user.click(selectButton('Q1 report summary'));
      expect(onRename).toHaveBeenCalledExactlyOnceWith('c4', 'Porto');

      await user.click(screen.getByRole('button', { name: 'Rename “Dense sourdough”' }));
      await user.clear(screen.getByRole('textbox', { name: 'Conversation title' }));
      await user.keyboard('{Enter}');
      await user.click(screen.getByRole('button', { name: 'Rename “Dense sourdough”' }));
      await user.keyboard('{Enter}');
      expect(onRename).toHaveBeenCalledOnce();
    });

    it('shows the new title at once when the parent applies it', async () => {
      const user = userEvent.setup();
      render(<Stateful />);
      await user.click(screen.getByRole('button', { name: 'Rename “Lisbon weekend”' }));
      await user.keyboard('Porto weekend{Enter}');
      expect(selectButton('Porto weekend')).toHaveFocus();
    });
  });

  describe('delete', () => {
    it('asks first; Cancel and Escape return to the Delete button without deleting', async () => {
      const { user, onRemove } = renderList();
      await user.click(screen.getByRole('button', { name: 'Delete “Lisbon weekend”' }));
      const confirm = screen.getByRole('group', { name: 'Delete “Lisbon weekend”' });
      expect(confirm).toHaveTextContent('Delete “Lisbon weekend”?');
      expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
      await user.keyboard('{Enter}');
      expect(screen.getByRole('button', { name: 'Delete “Lisbon weekend”' })).toHaveFocus();

      await user.keyboard('{Enter}');
      expect(screen.getByRole('group', { name: 'Delete “Lisbon weekend”' })).toBeInTheDocument();
      await user.keyboard('{Escape}');
      expect(screen.queryByRole('group')).not.toBeInTheDocument();
      expect(screen.getByRole('button', { name: 'Delete “Lisbon weekend”' })).toHaveFocus();
      expect(onRemove).not.toHaveBeenCalled();
    });

    it('deletes on confirm, and focus moves to the conversation that took its place', async () => {
      const user = userEvent.setup();
      const onRemove = vi.fn();
      render(<Stateful onRemove={onRemove} />);
      await user.click(screen.getByRole('button', { name: 'Delete “Dense sourdough”' }));
      await user.click(screen.getByRole('button', { name: 'Delete' }));
      expect(onRemove).toHaveBeenCalledExactlyOnceWith('c3');
      expect(screen.queryByText('Dense sourdough')).not.toBeInTheDocument();
      expect(selectButton('Lisbon weekend')).toHaveFocus();

      // The last one: focus goes to the one before it.
      await user.click(screen.getByRole('button', { name: 'Delete “Lisbon weekend”' }));
      await user.click(screen.getByRole('button', { name: 'Delete' }));
      expect(selectButton('TypeScript generics')).toHaveFocus();
    });
  });

  it('waits for the server before another change to a conversation with one pending', () => {
    renderList({ pending: { c4: { kind: 'rename', previous: conversations[3]! } } });
    expect(item('Lisbon weekend')).toHaveAttribute('data-pending', 'rename');
    expect(screen.getByRole('button', { name: 'Rename “Lisbon weekend”' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Delete “Lisbon weekend”' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Delete “Dense sourdough”' })).toBeEnabled();
  });

  it('shows a skeleton while the first page loads, announced once', () => {
    renderList({ list: { status: 'loading', page: 'first', requestId: 1, conversations: [], nextCursor: null } });
    expect(nav()).toHaveAttribute('data-status', 'loading');
    expect(screen.getByRole('status')).toHaveTextContent('Loading conversations…');
    expect(nav().querySelector('[data-slot=conversation-skeleton]')).not.toBeNull();
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
  });

  it('says so when there are no conversations', () => {
    renderList({ list: idle([]) });
    expect(screen.getByText(defaultLabels.noConversations)).toBeInTheDocument();
  });

  it('explains a failed load and offers Retry', async () => {
    const error = new ChatError('server_error', 'Boom.');
    const { user, onRetry } = renderList({ list: { status: 'error', page: 'first', error, conversations: [], nextCursor: null } });
    expect(screen.getByRole('alert')).toHaveTextContent('The conversations could not be loaded. The server had a problem answering.');
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('a failed next page is retried as a next page', async () => {
    const error = new ChatError('network', 'Offline.');
    const { user, onLoadMore, onRetry } = renderList({ list: { status: 'error', page: 'more', error, conversations, nextCursor: 'next' } });
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onLoadMore).toHaveBeenCalledOnce();
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('offers Load more while there is a next page', async () => {
    const { user, onLoadMore, rerender } = renderList({ list: idle(conversations, 'next') });
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(onLoadMore).toHaveBeenCalledOnce();
    rerender(<ConversationList list={{ status: 'loading', page: 'more', requestId: 2, conversations, nextCursor: 'next' }} now={NOW} onSelect={() => {}} onLoadMore={onLoadMore} />);
    expect(screen.getByRole('button', { name: 'Loading conversations…' })).toHaveAttribute('aria-busy', 'true');
    rerender(<ConversationList list={idle()} now={NOW} onSelect={() => {}} onLoadMore={onLoadMore} />);
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('alerts a refused change, with Dismiss', async () => {
    const failure = { operation: 'remove' as const, conversationId: 'c4', error: new ChatError('server_error', 'The server failed.') };
    const { user, onDismissFailure } = renderList({ failure });
    expect(screen.getByRole('alert')).toHaveTextContent('The conversation could not be deleted; it is back in the list. The server failed.');
    await user.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(onDismissFailure).toHaveBeenCalledOnce();
  });

  it('takes its words from the labels, dates included', () => {
    render(
      <ChatProvider labels={{ conversationsLabel: 'Unterhaltungen', relativeTime: (date, now) => `vor ${Math.round((now.getTime() - date.getTime()) / 60_000)} min` }}>
        <ConversationList list={idle(conversations.slice(0, 1))} now={() => NOW} onSelect={() => {}} />
      </ChatProvider>,
    );
    expect(screen.getByRole('navigation', { name: 'Unterhaltungen' })).toHaveTextContent('vor 2 min');
  });
});
