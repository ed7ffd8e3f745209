import { act, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatProvider, CodeBlock, codeLanguage } from 'colloquy';

const code = 'const greeting = "hi";\n  console.log(greeting); // <b>not html</b>\n';

function stubClipboard(clipboard: Partial<Clipboard> | undefined) {
  Object.defineProperty(navigator, 'clipboard', { value: clipboard, configurable: true });
}

afterEach(() => {
  vi.useRealTimers();
  Reflect.deleteProperty(navigator, 'clipboard');
});

describe('CodeBlock', () => {
  it('shows the code exactly, its language and a focusable, labelled scroll region', () => {
    const { container } = render(<CodeBlock code={code} language="ts" />);
    const figure = container.querySelector('figure')!;
    expect(figure).toHaveAttribute('data-slot', 'code-block');
    expect(figure).toHaveAttribute('data-language', 'ts');
    expect(screen.getByText('ts')).toBeInTheDocument();
    expect(container.querySelector('pre > code')!.textContent).toBe(code);
    expect(container.querySelector('b')).toBeNull();
    const region = screen.getByRole('group', { name: 'Code: ts' });
    expect(region).toHaveAttribute('tabindex', '0');
    expect(region).toHaveClass('overflow-x-auto');
  });

  it('labels code without a language as text', () => {
    const { container } = render(<CodeBlock code="x" />);
    expect(container.querySelector('figure')).toHaveAttribute('data-language', 'text');
    expect(screen.getByRole('group', { name: 'Code' })).toBeInTheDocument();
  });

  it.each([
    ['ts title="a.ts"', 'ts'],
    ['C#', 'C#'],
    ['objective-c++', 'objective-c++'],
    ['"><script>', 'script'],
    ['<img/src=x>', 'imgsrcx'],
    ['', 'text'],
    ['   ', 'text'],
    ['a'.repeat(40), 'a'.repeat(32)],
  ])('sanitises the language %j to %j', (info, expected) => {
    expect(codeLanguage(info)).toBe(expected);
    const { container } = render(<CodeBlock code="x" language={info} />);
    expect(container.querySelector('figure')).toHaveAttribute('data-language', expected);
  });

  it('copies the exact code to the clipboard', async () => {
    const user = userEvent.setup(); // provides a clipboard stub
    render(<CodeBlock code={code} language="ts" />);
    const button = screen.getByRole('button', { name: 'Copy' });
    expect(button).toHaveAttribute('type', 'button');
    await user.click(button);
    await expect(navigator.clipboard.readText()).resolves.toBe(code);
    expect(button).toHaveAccessibleName('Copied');
    expect(button).toHaveAttribute('data-state', 'copied');
    expect(document.querySelector('[aria-live=polite]')).toHaveTextContent('Copied');
  });

  // Fake timers with fireEvent: RTL's async helpers wait on a real setTimeout that vitest's fake timers would hold.
  async function clickCopy() {
    await act(async () => {
      fireEvent.click(screen.getByRole('button'));
    });
  }

  it('says Copied for 2 s, then goes back to Copy', async () => {
    vi.useFakeTimers();
    const writeText = vi.fn().mockResolvedValue(undefined);
    stubClipboard({ writeText });
    render(<CodeBlock code={code} />);
    await clickCopy();
    expect(writeText).toHaveBeenCalledWith(code);
    const button = screen.getByRole('button');
    const live = document.querySelector('[aria-live=polite]')!;
    expect(button).toHaveAccessibleName('Copied');
    act(() => {
      vi.advanceTimersByTime(1999);
    });
    expect(button).toHaveAccessibleName('Copied');
    act(() => {
      vi.advanceTimersByTime(1);
    });
    expect(button).toHaveAccessibleName('Copy');
    expect(button).toHaveAttribute('data-state', 'idle');
    expect(live).toBeEmptyDOMElement();
  });

  it('restarts the 2 s on a second copy', async () => {
    vi.useFakeTimers();
    stubClipboard({ writeText: vi.fn().mockResolvedValue(undefined) });
    render(<CodeBlock code="x" />);
    await clickCopy();
    act(() => {
      vi.advanceTimersByTime(1500);
    });
    await clickCopy();
    act(() => {
      vi.advanceTimersByTime(1500);
    });
    expect(screen.getByRole('button')).toHaveAccessibleName('Copied');
    act(() => {
      vi.advanceTimersByTime(500);
    });
    expect(screen.getByRole('button')).toHaveAccessibleName('Copy');
  });

  it('uses the copy labels from ChatProvider', async () => {
    const user = userEvent.setup();
    render(
      <ChatProvider labels={{ copy: 'Kopieren', copied: 'Kopiert' }}>
        <CodeBlock code="x" />
      </ChatProvider>,
    );
    await user.click(screen.getByRole('button', { name: 'Kopieren' }));
    expect(screen.getByRole('button', { name: 'Kopiert' })).toBeInTheDocument();
  });

  it('selects the code instead when the clipboard is missing', async () => {
    stubClipboard(undefined);
    const { container } = render(<CodeBlock code={code} />);
    await clickCopy();
    expect(screen.getByRole('button')).toHaveAccessibleName('Copy');
    expect(document.getSelection()?.toString()).toBe(container.querySelector('code')!.textContent);
  });

  it('does not claim success when the clipboard refuses', async () => {
    const writeText = vi.fn().mockRejectedValue(new DOMException('denied', 'NotAllowedError'));
    stubClipboard({ writeText });
    render(<CodeBlock code="secret" />);
    await clickCopy();
    expect(writeText).toHaveBeenCalledWith('secret');
    expect(screen.getByRole('button')).toHaveAccessibleName('Copy');
    expect(document.getSelection()?.toString()).toBe('secret');
  });

  it('merges className and spreads props onto the figure', () => {
    const ref = { current: null as HTMLElement | null };
    const { container } = render(<CodeBlock code="x" className="my-4" data-testid="cb" ref={ref} />);
    const figure = container.querySelector('figure')!;
    expect(figure).toHaveClass('my-4', 'bg-code');
    expect(screen.getByTestId('cb')).toBe(figure);
    expect(ref.current).toBe(figure);
  });
});
