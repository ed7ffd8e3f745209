import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it, vi } from 'vitest';
import { Chat, ChatProvider, createFunctionTransport, Markdown, preloadMarkdown } from 'colloquy';

// The markdown chunk cannot load (a 404 after a deployment, the network gone): importing it rejects. marked is
// imported by that chunk alone, so failing marked fails exactly the lazy load.
vi.mock('marked', () => {
  throw new Error('Failed to fetch dynamically imported module: /assets/markdown-lexer.js');
});

it('keeps the text as written when the renderer fails to load, without an error in React', async () => {
  const { container, rerender } = render(<Markdown text={'**kept** as\n\nwritten'} />);
  expect(await preloadMarkdown()).toBe(false);
  const root = container.querySelector('[data-slot=markdown]');
  expect(root).toHaveAttribute('data-plain');
  expect(root!.textContent).toBe('**kept** as\n\nwritten');
  // Still alive: it keeps following its text (a stream goes on in plain text).
  rerender(<Markdown text={'**kept** as\n\nwritten, and more'} />);
  expect(container.querySelector('[data-slot=markdown]')!.textContent).toBe('**kept** as\n\nwritten, and more');
});

it('answers in a whole chat, in plain text, when the renderer fails to load', async () => {
  const transport = createFunctionTransport(async () => 'The answer, **as written**.');
  render(
    <ChatProvider transport={transport}>
      <Chat />
    </ChatProvider>,
  );
  await userEvent.setup().type(screen.getByRole('textbox', { name: 'Message' }), 'Hi{Enter}');
  expect(await screen.findByText('The answer, **as written**.')).toBeInTheDocument();
  expect(await preloadMarkdown()).toBe(false);
  expect(screen.queryByRole('alert')).toBeNull();
});
