import { render, screen } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { MessageContent, preloadMarkdown, type ChatMessage, type MessagePart } from 'colloquy';

// Markdown loads on demand; these tests are about what it renders, so it is there before the first one.
beforeAll(async () => {
  expect(await preloadMarkdown()).toBe(true);
});

function message(role: ChatMessage['role'], parts: MessagePart[]): ChatMessage {
  return { id: 'm1', parentId: null, role, parts, createdAt: '2025-01-01T00:00:00.000Z', status: 'complete' };
}

const text = (value: string, state: 'streaming' | 'done' = 'done'): MessagePart => ({ type: 'text', text: value, state });

describe('MessageContent', () => {
  it('renders assistant text as markdown', () => {
    render(<MessageContent message={message('assistant', [text('# Hi\n\n- **one**\n- [two](https://example.com)')])} />);
    expect(screen.getByRole('heading', { level: 1, name: 'Hi' })).toBeInTheDocument();
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
    expect(screen.getByRole('link', { name: 'two' })).toHaveAttribute('href', 'https://example.com/');
  });

  it('renders system text as markdown too', () => {
    render(<MessageContent parts={[text('**Note**')]} role="system" />);
    expect(screen.getByText('Note').tagName).toBe('STRONG');
  });

  it('renders user text as typed: no markdown, line breaks kept', () => {
    const typed = '# not a heading\n**not bold** <b>x</b>\n\n[not](https://a.link)';
    const { container } = render(<MessageContent message={message('user', [text(typed)])} />);
    expect(screen.queryByRole('heading')).toBeNull();
    expect(screen.queryByRole('link')).toBeNull();
    expect(container.querySelector('strong, b')).toBeNull();
    const paragraph = container.querySelector('[data-slot=message-text]')!;
    expect(paragraph.textContent).toBe(typed);
    expect(paragraph).toHaveClass('whitespace-pre-wrap');
  });

  it('shows a caret only while a text part streams', () => {
    const { container, rerender } = render(<MessageContent parts={[text('Hello **wor', 'streaming')]} role="assistant" />);
    const root = container.querySelector('[data-slot=message-content]')!;
    expect(root).toHaveAttribute('data-state', 'streaming');
    expect(container.querySelector('[data-slot=message-text]')).toHaveAttribute('data-state', 'streaming');
    const caret = container.querySelector('[data-slot=caret]')!;
    expect(caret).toHaveAttribute('aria-hidden', 'true');
    expect(caret).toHaveClass('animate-caret');
    expect(caret.parentElement!.tagName).toBe('P'); // inline after the last word, not on a line of its own

    rerender(<MessageContent parts={[text('Hello **world**', 'done')]} role="assistant" />);
    expect(container.querySelector('[data-slot=caret]')).toBeNull();
    expect(root).toHaveAttribute('data-state', 'done');
    expect(container.querySelector('[data-slot=message-text]')).toHaveAttribute('data-state', 'done');
  });

  it('shows the caret alone before the first token arrives', () => {
    const { container } = render(<MessageContent parts={[text('', 'streaming')]} role="assistant" />);
    expect(container.querySelectorAll('[data-slot=caret]')).toHaveLength(1);
  });

  it('renders parts of unknown types as nothing, without crashing', () => {
    const parts: MessagePart[] = [
      { type: 'reasoning', text: 'secret thoughts' },
      text('Visible'),
      { type: 'tool-call', args: { x: 1 } },
      { type: 'text', text: 42 }, // malformed: not a text part
    ];
    const { container } = render(<MessageContent parts={parts} role="assistant" />);
    expect(container).toHaveTextContent(/^Visible$/);
    expect(container.querySelectorAll('[data-slot=message-text]')).toHaveLength(1);
  });

  it('sets dir=auto on text blocks, for right-to-left text', () => {
    const { container, rerender } = render(<MessageContent parts={[text('مرحبا بالعالم\n\nשלום עולם')]} role="assistant" />);
    const blocks = container.querySelectorAll('p');
    expect(blocks).toHaveLength(2);
    for (const block of blocks) expect(block).toHaveAttribute('dir', 'auto');
    rerender(<MessageContent parts={[text('שלום')]} role="user" />);
    expect(container.querySelector('[data-slot=message-text]')).toHaveAttribute('dir', 'auto');
  });

  it('lets long words and URLs wrap', () => {
    const { container } = render(<MessageContent parts={[text(`https://example.com/${'a'.repeat(300)}`)]} role="assistant" />);
    expect(container.querySelector('[data-slot=message-content]')).toHaveClass('wrap-anywhere', 'min-w-0');
  });

  it('passes the image allowlist to markdown', () => {
    const parts = [text('![cat](https://cdn.example.com/cat.png) ![dog](https://evil.example/dog.png)')];
    render(<MessageContent parts={parts} role="assistant" imageAllowlist={['https://cdn.example.com']} />);
    expect(screen.getAllByRole('img')).toHaveLength(1);
    expect(screen.getByRole('img', { name: 'cat' })).toBeInTheDocument();
    expect(screen.getByText('Image not loaded: dog')).toBeInTheDocument();
  });

  it('carries the role, merges className and spreads props', () => {
    render(<MessageContent message={message('assistant', [text('x')])} className="p-2" data-testid="content" aria-label="Answer" />);
    const root = screen.getByTestId('content');
    expect(root).toHaveAttribute('data-slot', 'message-content');
    expect(root).toHaveAttribute('data-role', 'assistant');
    expect(root).toHaveAttribute('aria-label', 'Answer');
    expect(root).toHaveClass('p-2', 'flex');
  });
});
