import { act, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatError, ChatProvider, Composer, type ComposerProps } from 'colloquy';

type HarnessProps = Partial<ComposerProps> & { initial?: string; clearOnSubmit?: boolean };

/** A parent that owns the text, like `useChat` does. */
function Harness({ initial = '', clearOnSubmit = false, onSubmit, ...props }: HarnessProps) {
  const [value, setValue] = useState(initial);
  return (
    <Composer
      value={value}
      onValueChange={setValue}
      onSubmit={(text) => {
        onSubmit?.(text);
        if (clearOnSubmit) setValue('');
      }}
      {...props}
    />
  );
}

const textbox = () => screen.getByRole('textbox', { name: 'Message' });
const sendButton = () => screen.getByRole('button', { name: 'Send' });
const form = () => textbox().closest('form')!;

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('Composer', () => {
  it('is a form part with a labelled textarea and an icon Send button with a name', () => {
    render(<Harness />);
    expect(form()).toHaveAttribute('data-slot', 'composer');
    expect(textbox()).toHaveAttribute('data-slot', 'composer-input');
    expect(textbox()).toHaveAttribute('placeholder', 'Send a message…');
    expect(sendButton()).toHaveAttribute('type', 'submit');
    expect(sendButton().querySelector('svg')).toHaveAttribute('aria-hidden', 'true');
  });

  it('sends on Enter with the current value and keeps focus in the textarea', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} clearOnSubmit />);
    await user.type(textbox(), 'Hello there');
    await user.keyboard('{Enter}');
    expect(onSubmit).toHaveBeenCalledExactlyOnceWith('Hello there');
    expect(textbox()).toHaveValue('');
    expect(textbox()).toHaveFocus();
  });

  it('lets the parent decide whether to clear: the text stays when it does not', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} />);
    await user.type(textbox(), 'Keep me{Enter}');
    expect(onSubmit).toHaveBeenCalledWith('Keep me');
    expect(textbox()).toHaveValue('Keep me');
  });

  it('inserts a newline on Shift+Enter without sending', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} />);
    await user.type(textbox(), 'line one{Shift>}{Enter}{/Shift}line two');
    expect(onSubmit).not.toHaveBeenCalled();
    expect(textbox()).toHaveValue('line one\nline two');
  });

  it('never sends while an IME composition is active (Enter confirms the composition)', () => {
    const onSubmit = vi.fn();
    render(<Harness initial="にほんご" onSubmit={onSubmit} />);
    fireEvent.keyDown(textbox(), { key: 'Enter', isComposing: true });
    fireEvent.keyDown(textbox(), { key: 'Enter', keyCode: 229 });
    expect(onSubmit).not.toHaveBeenCalled();
    fireEvent.keyDown(textbox(), { key: 'Enter' });
    expect(onSubmit).toHaveBeenCalledExactlyOnceWith('にほんご');
  });

  it('does nothing on Enter when the text is empty or only whitespace', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} />);
    await user.type(textbox(), '{Enter}');
    await user.type(textbox(), '   {Enter}');
    expect(onSubmit).not.toHaveBeenCalled();
    expect(textbox()).toHaveValue('   ');
    expect(sendButton()).toBeDisabled();
  });

  it('sends on Send click and returns focus to the textarea', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<Harness initial="Click me" onSubmit={onSubmit} />);
    await user.click(sendButton());
    expect(onSubmit).toHaveBeenCalledExactlyOnceWith('Click me');
    expect(textbox()).toHaveFocus();
  });

  it('while busy shows a labelled Stop button instead of Send; Stop and Escape call onStop, focus stays', async () => {
    const user = userEvent.setup();
    const onStop = vi.fn();
    const onSubmit = vi.fn();
    render(<Harness initial="next question" busy onStop={onStop} onSubmit={onSubmit} />);
    expect(form()).toHaveAttribute('data-busy', '');
    expect(screen.queryByRole('button', { name: 'Send' })).not.toBeInTheDocument();
    const stop = screen.getByRole('button', { name: 'Stop' });
    expect(stop).toHaveAttribute('type', 'button');

    await user.click(stop);
    expect(onStop).toHaveBeenCalledTimes(1);
    expect(textbox()).toHaveFocus();

    await user.keyboard('{Escape}');
    expect(onStop).toHaveBeenCalledTimes(2);

    await user.keyboard('{Enter}');
    expect(onSubmit).not.toHaveBeenCalled();
    expect(textbox()).toHaveValue('next question');
  });

  it('ignores Escape when not busy', async () => {
    const user = userEvent.setup();
    const onStop = vi.fn();
    render(<Harness onStop={onStop} />);
    await user.type(textbox(), 'x{Escape}');
    expect(onStop).not.toHaveBeenCalled();
    expect(form()).not.toHaveAttribute('data-busy');
  });

  it('returns focus to the textarea when the turn ends while Stop had focus', async () => {
    const user = userEvent.setup();
    const { rerender } = render(<Composer value="" onValueChange={() => {}} onSubmit={() => {}} busy onStop={() => {}} />);
    await user.tab();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Stop' })).toHaveFocus();
    rerender(<Composer value="" onValueChange={() => {}} onSubmit={() => {}} busy={false} onStop={() => {}} />);
    expect(textbox()).toHaveFocus();
  });

  it('lets a consumer onKeyDown that calls preventDefault skip the built-in Enter handling', async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<Harness initial="hi" onSubmit={onSubmit} onKeyDown={(event) => event.key === 'Enter' && event.preventDefault()} />);
    await user.click(textbox());
    await user.keyboard('{Enter}');
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('grows the textarea with its content where CSS field-sizing is unsupported (jsdom), and shrinks back', async () => {
    const user = userEvent.setup();
    // jsdom does no layout: pretend each line is 24px tall.
    vi.spyOn(HTMLTextAreaElement.prototype, 'scrollHeight', 'get').mockImplementation(function (this: HTMLTextAreaElement) {
      return 24 * this.value.split('\n').length;
    });
    render(<Harness />);
    await user.type(textbox(), 'one{Shift>}{Enter}{/Shift}two{Shift>}{Enter}{/Shift}three');
    expect(textbox().style.height).toBe('72px');
    await user.clear(textbox());
    expect(textbox().style.height).toBe('24px');
  });

  it('when disabled, disables typing and sending and describes why', () => {
    render(<Harness initial="hello" disabled disabledReason="Sign in to chat." />);
    expect(textbox()).toBeDisabled();
    expect(sendButton()).toBeDisabled();
    expect(form()).toHaveAttribute('data-disabled', '');
    expect(textbox()).toHaveAccessibleDescription('Sign in to chat.');
  });

  describe('character counter', () => {
    it.each([
      { length: 89, counter: null },
      { length: 90, counter: '10 characters left' },
      { length: 100, counter: '0 characters left' },
      { length: 103, counter: '3 characters over the limit' },
    ])('with $length of 100 characters shows $counter', ({ length, counter }) => {
      render(<Harness initial={'a'.repeat(length)} maxLength={100} />);
      if (counter === null) {
        expect(screen.queryByText(/characters (left|over)/)).not.toBeInTheDocument();
        expect(textbox()).not.toHaveAttribute('aria-describedby');
      } else {
        expect(screen.getByText(counter)).toHaveAttribute('data-slot', 'composer-counter');
        expect(textbox()).toHaveAccessibleDescription(counter);
      }
    });

    it('over the limit disables Send and marks the text invalid, never truncating it', async () => {
      const user = userEvent.setup();
      const onSubmit = vi.fn();
      render(<Harness initial={'a'.repeat(10)} maxLength={10} onSubmit={onSubmit} />);
      expect(sendButton()).toBeEnabled();
      await user.type(textbox(), 'bcd');
      expect(textbox()).toHaveValue('aaaaaaaaaabcd');
      expect(textbox()).not.toHaveAttribute('maxlength');
      expect(textbox()).toHaveAttribute('aria-invalid', 'true');
      expect(form()).toHaveAttribute('data-over-limit', '');
      expect(sendButton()).toBeDisabled();
      expect(screen.getByText('3 characters over the limit')).toBeInTheDocument();
      await user.keyboard('{Enter}');
      expect(onSubmit).not.toHaveBeenCalled();

      await user.keyboard('{Backspace}{Backspace}{Backspace}');
      expect(textbox()).not.toHaveAttribute('aria-invalid');
      expect(form()).not.toHaveAttribute('data-over-limit');
      expect(sendButton()).toBeEnabled();
    });
  });

  it('while rate-limited counts down live, blocks sending, keeps the textarea editable, then re-enables', async () => {
    // shouldAdvanceTime: Testing Library's async wrapper waits on a real-looking setTimeout(0). The clock then also
    // moves with real time, so each step below has a full second of slack before a boundary.
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z'), shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const onSubmit = vi.fn();
    render(<Harness initial="wait" rateLimitedUntil={Date.now() + 3_000} onSubmit={onSubmit} />);
    expect(form()).toHaveAttribute('data-rate-limited', '');
    const status = screen.getByText('Too many messages. You can send again in 3 s.');
    expect(status).toHaveAttribute('aria-live', 'off');
    expect(sendButton()).toBeDisabled();
    expect(textbox()).toBeEnabled();

    await user.type(textbox(), 'ing{Enter}');
    expect(textbox()).toHaveValue('waiting');
    expect(onSubmit).not.toHaveBeenCalled();

    act(() => vi.advanceTimersByTime(1_000));
    expect(screen.getByText('Too many messages. You can send again in 2 s.')).toBeInTheDocument();

    act(() => vi.advanceTimersByTime(2_000));
    expect(screen.queryByText(/You can send again/)).not.toBeInTheDocument();
    expect(form()).not.toHaveAttribute('data-rate-limited');
    expect(sendButton()).toBeEnabled();
    await user.keyboard('{Enter}');
    expect(onSubmit).toHaveBeenCalledWith('waiting');
  });

  it('shows a refusal under the input, as an alert tied to the textarea', () => {
    const error = new ChatError('message_too_long', 'The message is 5000 characters; the limit is 4000.');
    render(<Harness initial="long" error={error} />);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('The message is 5000 characters; the limit is 4000.');
    expect(alert).toHaveAttribute('data-code', 'message_too_long');
    expect(textbox()).toHaveAccessibleDescription('The message is 5000 characters; the limit is 4000.');
    expect(textbox()).toHaveAttribute('aria-invalid', 'true');
  });

  it('uses labels from ChatProvider and the size/variant data attributes; className wins', () => {
    render(
      <ChatProvider labels={{ send: 'Envoyer', composerLabel: 'Votre message' }}>
        <Composer value="" onValueChange={() => {}} onSubmit={() => {}} size="sm" variant="flat" className="p-4" />
      </ChatProvider>,
    );
    const input = screen.getByRole('textbox', { name: 'Votre message' });
    expect(screen.getByRole('button', { name: 'Envoyer' })).toBeInTheDocument();
    const root = input.closest('form')!;
    expect(root).toHaveAttribute('data-size', 'sm');
    expect(root).toHaveAttribute('data-variant', 'flat');
    expect(root).toHaveClass('p-4');
    expect(root).not.toHaveClass('p-1');
  });

  it('focuses the textarea on mount with autoFocus and exposes it through inputRef', () => {
    const inputRef = { current: null as HTMLTextAreaElement | null };
    render(<Harness autoFocus inputRef={inputRef} />);
    expect(textbox()).toHaveFocus();
    expect(inputRef.current).toBe(textbox());
  });
});
