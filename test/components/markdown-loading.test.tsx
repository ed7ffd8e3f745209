import { act, render, screen } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { expect, it, vi } from 'vitest';
import type { MessagePart } from 'colloquy';

// Counts how often the markdown chunk is evaluated: marked is imported by that chunk alone.
const markedLoads = vi.hoisted(() => ({ count: 0 }));
vi.mock('marked', async (importOriginal) => {
  markedLoads.count++;
  return importOriginal();
});

/** The kit as a page sees it on first load: a fresh module registry, so the renderer is not loaded yet. */
async function freshKit() {
  vi.resetModules();
  markedLoads.count = 0;
  return import('colloquy');
}

const part = (text: string, state: 'streaming' | 'done'): MessagePart => ({ type: 'text', text, state });

it('loads nothing on import; the first chat to mount starts loading the renderer', async () => {
  const { ChatRoot } = await freshKit();
  await vi.dynamicImportSettled();
  expect(markedLoads.count).toBe(0);
  render(<ChatRoot />);
  await vi.dynamicImportSettled();
  expect(markedLoads.count).toBe(1);
});

it('shows the text as written until the renderer has loaded, then renders every instance as markdown', async () => {
  const { Markdown } = await freshKit();
  const text = '# Title\n\n**bold**  and <img src=x onerror=alert(1)>\n\n    indented';
  const { container } = render(
    <>
      <Markdown text={text} />
      <Markdown text="- item" />
    </>,
  );
  const [first, second] = container.querySelectorAll('[data-slot=markdown]');
  expect(first).toHaveAttribute('data-plain');
  // Exactly the characters the model wrote, spaces and line breaks kept, in one paragraph: nothing parsed.
  expect(first!.textContent).toBe(text);
  expect(first!.querySelectorAll('*')).toHaveLength(1);
  expect(first!.firstElementChild).toHaveClass('whitespace-pre-wrap');
  expect(second!.textContent).toBe('- item');

  expect(await screen.findByRole('heading', { name: 'Title' })).toBeInTheDocument();
  expect(screen.getByText('bold').tagName).toBe('STRONG');
  expect(screen.getByRole('listitem')).toHaveTextContent('item');
  expect(container.querySelectorAll('[data-plain]')).toHaveLength(0);
  expect(container.querySelector('img')).toBeNull();
});

it('switches a stream to markdown mid-stream when the renderer arrives after its first tokens', async () => {
  const { MessageContent } = await freshKit();
  const { container, rerender } = render(<MessageContent parts={[part('Hello **wor', 'streaming')]} role="assistant" />);
  rerender(<MessageContent parts={[part('Hello **world**\n\n- a', 'streaming')]} role="assistant" />);
  expect(container.querySelector('[data-slot=markdown]')).toHaveAttribute('data-plain');
  // The caret follows the last character of the plain text, as it will the last word of the markdown.
  expect(container.querySelector('[data-slot=caret]')!.previousSibling!.textContent).toBe('Hello **world**\n\n- a');

  expect(await screen.findByText('world')).toHaveProperty('tagName', 'STRONG');
  expect(container.querySelector('li [data-slot=caret]')).not.toBeNull();

  rerender(<MessageContent parts={[part('Hello **world**\n\n- a\n- b\n\n`done`', 'done')]} role="assistant" />);
  expect(screen.getAllByRole('listitem')).toHaveLength(2);
  expect(screen.getByText('done').tagName).toBe('CODE');
  expect(container.querySelector('[data-slot=caret]')).toBeNull();
});

it('renders plain text on the server, even once loaded, and hydrates from it without a mismatch', async () => {
  const { Markdown, preloadMarkdown } = await freshKit();
  expect(await preloadMarkdown()).toBe(true);
  const text = '**bold** and <script>alert(1)</script>\n\nnext';
  const html = renderToString(<Markdown text={text} />);
  const container = document.createElement('div');
  container.innerHTML = html;
  document.body.append(container);
  expect(container.querySelector('[data-slot=markdown]')).toHaveAttribute('data-plain');
  expect(container.querySelector('script, strong')).toBeNull();
  expect(container.textContent).toBe(text);

  const recoverable = vi.fn();
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const root = await act(async () => hydrateRoot(container, <Markdown text={text} />, { onRecoverableError: recoverable }));
    expect(recoverable).not.toHaveBeenCalled();
    expect(consoleError).not.toHaveBeenCalled();
    // After hydration the client's snapshot (loaded) takes over.
    expect(container.querySelector('strong')).toHaveTextContent('bold');
    expect(container.querySelector('[data-plain]')).toBeNull();
    act(() => root.unmount());
  } finally {
    consoleError.mockRestore();
    container.remove();
  }
});
