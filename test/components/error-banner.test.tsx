import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHAT_ERROR_CODES, ChatError, ChatProvider, defaultLabels, ErrorBanner, type ChatErrorCode } from 'colloquy';

const RETRY_NOW: ReadonlySet<ChatErrorCode> = new Set(['network', 'server_error', 'upstream_unavailable', 'timeout', 'bad_response', 'aborted']);

const banner = () => screen.getByRole('alert').closest('[data-slot=error-banner]') as HTMLElement;

afterEach(() => {
  vi.useRealTimers();
});

describe('ErrorBanner', () => {
  it.each(CHAT_ERROR_CODES)('%s: announces its headline once and offers the action that fits', async (code) => {
    const user = userEvent.setup();
    const onRetry = vi.fn();
    const error = new ChatError(code, 'Server said something specific.', code === 'rate_limited' ? { retryAfterMs: 30_000 } : {});
    render(<ErrorBanner error={error} onRetry={onRetry} />);

    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(defaultLabels.errorTitles[code]);
    expect(banner()).toHaveAttribute('data-slot', 'error-banner');
    expect(banner()).toHaveAttribute('data-code', code);
    expect(banner()).toHaveAttribute('data-tone', code === 'rate_limited' ? 'warning' : 'danger');

    const retry = screen.queryByRole('button', { name: 'Retry' });
    if (RETRY_NOW.has(code)) {
      expect(retry).toHaveAttribute('type', 'button');
      await user.click(retry!);
      expect(onRetry).toHaveBeenCalledTimes(1);
      expect(alert).toHaveTextContent('Server said something specific.');
    } else if (code === 'rate_limited') {
      expect(retry).not.toBeInTheDocument();
      expect(screen.getByText('You can send again in 30 s.')).toBeInTheDocument();
      // The wait in a rate_limited message would contradict the live countdown.
      expect(alert).not.toHaveTextContent('Server said something specific.');
    } else if (code === 'unauthorized') {
      expect(retry).not.toBeInTheDocument();
      expect(alert).toHaveTextContent(defaultLabels.checkSignIn);
    } else {
      expect(retry).not.toBeInTheDocument();
      expect(alert).toHaveTextContent(defaultLabels.errorHints[code]!);
      expect(alert).toHaveTextContent('Server said something specific.');
    }
  });

  it('renders nothing without an error', () => {
    const { container } = render(<ErrorBanner error={null} onRetry={() => {}} />);
    expect(container).toBeEmptyDOMElement();
  });

  it('omits the message when it only repeats the headline', () => {
    render(<ErrorBanner error={new ChatError('timeout', 'The answer took too long')} />);
    expect(screen.getByRole('alert').textContent).toBe(defaultLabels.errorTitles.timeout);
  });

  it('offers no Retry without onRetry, or when the error says it is not retryable', () => {
    const { rerender } = render(<ErrorBanner error={new ChatError('network', 'Offline')} />);
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
    rerender(<ErrorBanner error={new ChatError('server_error', 'Bad request body', { retryable: false })} onRetry={() => {}} />);
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
  });

  it('calls onDismiss from a Dismiss button', async () => {
    const user = userEvent.setup();
    const onDismiss = vi.fn();
    render(<ErrorBanner error={new ChatError('forbidden', 'No')} onDismiss={onDismiss} />);
    const dismiss = screen.getByRole('button', { name: 'Dismiss' });
    expect(dismiss).toHaveAttribute('type', 'button');
    await user.click(dismiss);
    expect(onDismiss).toHaveBeenCalledTimes(1);
  });

  it('counts down from retryAfterMs, then offers Retry and announces it once', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z'), shouldAdvanceTime: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const onRetry = vi.fn();
    render(<ErrorBanner error={new ChatError('rate_limited', 'Slow down', { retryAfterMs: 3_000 })} onRetry={onRetry} />);
    expect(screen.getByText('You can send again in 3 s.')).toHaveAttribute('aria-live', 'off');
    expect(banner()).toHaveAttribute('data-waiting', '');
    expect(screen.getByRole('status')).toBeEmptyDOMElement();

    act(() => vi.advanceTimersByTime(1_000));
    expect(screen.getByText('You can send again in 2 s.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();

    act(() => vi.advanceTimersByTime(2_000));
    expect(screen.queryByText(/You can send again in/)).not.toBeInTheDocument();
    expect(banner()).not.toHaveAttribute('data-waiting');
    expect(screen.getByRole('status')).toHaveTextContent('You can send again now.');
    const retry = screen.getByRole('button', { name: 'Retry' });
    expect(retry).toBeEnabled();
    await user.click(retry);
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('does not re-announce: the alert region does not change while the countdown ticks', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    render(<ErrorBanner error={new ChatError('rate_limited', 'Slow down', { retryAfterMs: 10_000 })} onRetry={() => {}} />);
    const alert = screen.getByRole('alert');
    const countdown = screen.getByText('You can send again in 10 s.');
    expect(alert).not.toContainElement(countdown);

    const mutations: MutationRecord[] = [];
    const observer = new MutationObserver((records) => mutations.push(...records));
    observer.observe(alert, { subtree: true, childList: true, characterData: true, attributes: true });
    act(() => vi.advanceTimersByTime(4_000));
    observer.takeRecords().forEach((record) => mutations.push(record));
    observer.disconnect();

    expect(countdown).toHaveTextContent('You can send again in 6 s.');
    expect(mutations).toEqual([]);
    expect(screen.getByRole('alert')).toBe(alert);
  });

  it('prefers an explicit retryAt (e.g. the limiter availableAt) and restarts for a new error', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const start = Date.now();
    const { rerender } = render(<ErrorBanner error={new ChatError('rate_limited', 'x', { retryAfterMs: 60_000 })} retryAt={start + 5_000} />);
    expect(screen.getByText('You can send again in 5 s.')).toBeInTheDocument();

    act(() => vi.advanceTimersByTime(5_000));
    expect(screen.queryByText(/You can send again in/)).not.toBeInTheDocument();

    rerender(<ErrorBanner error={new ChatError('rate_limited', 'x', { retryAfterMs: 8_000 })} />);
    expect(screen.getByText('You can send again in 8 s.')).toBeInTheDocument();
  });

  it('takes an injected clock, so a story can freeze the countdown', () => {
    const now = () => Date.UTC(2026, 0, 1);
    render(<ErrorBanner error={new ChatError('rate_limited', 'x')} retryAt={now() + 42_000} now={now} />);
    expect(screen.getByText('You can send again in 42 s.')).toBeInTheDocument();
  });

  it('lets tone, labels and className be overridden', () => {
    render(
      <ChatProvider labels={{ retry: 'Réessayer', errorTitles: { ...defaultLabels.errorTitles, network: 'Hors ligne.' } }}>
        <ErrorBanner error={new ChatError('network', 'x')} onRetry={() => {}} tone="warning" className="rounded-none" />
      </ChatProvider>,
    );
    expect(within(banner()).getByRole('button', { name: 'Réessayer' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Hors ligne.');
    expect(banner()).toHaveAttribute('data-tone', 'warning');
    expect(banner()).toHaveClass('bg-warning-soft', 'rounded-none');
    expect(banner()).not.toHaveClass('bg-danger-soft');
  });
});
