import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatStreaming, defaultLabels, messageText, type ChatMessage, type ChatStreamingProps } from 'colloquy';
import { createChatHandlers, replyFor, type ChatHandlerOptions } from 'colloquy/mocks';
import { setupRecordingServer } from '../helpers/recording-server.js';

const URL = 'http://localhost/api/chat/stream';
const { server, requests } = setupRecordingServer();
afterEach(() => {
  vi.restoreAllMocks();
});

function scenario(options: ChatHandlerOptions) {
  server.use(...Object.values(createChatHandlers(options)));
}

function renderChat(props: Partial<ChatStreamingProps> = {}) {
  const user = userEvent.setup();
  const view = render(<ChatStreaming url={URL} {...props} />);
  return { user, ...view };
}

const composer = () => screen.getByRole('textbox', { name: 'Message' });
const log = () => screen.getByRole('log', { name: 'Conversation' });
const announcer = () => screen.getByRole('status');
const articles = (role: ChatMessage['role']) => within(log()).queryAllByRole('article').filter((article) => article.dataset.role === role);
const answer = () => articles('assistant').at(-1);
/** The text of the newest answer's content, without the speaker label and footer. */
const answerText = () => answer()?.querySelector('[data-slot=message-content]')?.textContent ?? '';
const alert = () => screen.getByRole('alert');

describe('ChatStreaming', () => {
  it('sends on Enter, streams the mock reply, clears the composer and keeps focus there', async () => {
    scenario({ tokensPerSecond: Infinity });
    const { user } = renderChat();
    await user.type(composer(), 'Hello there{Enter}');

    expect(composer()).toHaveValue('');
    expect(composer()).toHaveFocus();
    const [question] = articles('user');
    expect(question).toHaveTextContent('Hello there');

    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(answerText()).toBe(replyFor('Hello there'));
    expect(question).toHaveAttribute('data-status', 'complete');
    expect(log()).not.toHaveAttribute('aria-busy');
    expect(announcer()).toHaveTextContent('Response complete');
    expect(composer()).toHaveFocus();
    // The mock reports usage; the badge shows it on the finished answer.
    expect(within(answer()!).getByText(/\d+ tokens/)).toBeInTheDocument();

    // The wire request is the protocol's body.
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url).toBe(URL);
    expect(requests[0]!.headers.get('accept')).toContain('text/event-stream');
  });

  it('keeps the log aria-busy while tokens arrive, then announces the finished answer once', async () => {
    scenario({ tokensPerSecond: 50 });
    const { user } = renderChat();
    await user.type(composer(), 'Hi{Enter}');
    expect(log()).toHaveAttribute('aria-busy', 'true');
    expect(announcer()).toHaveTextContent('Generating response');

    // Mid-stream: text is in the log, the log is busy, the status still says the same thing.
    await waitFor(() => expect(answerText().length).toBeGreaterThan(0));
    expect(answer()).toHaveAttribute('data-status', 'streaming');
    expect(replyFor('Hi').startsWith(answerText())).toBe(true);
    expect(answerText()).not.toBe(replyFor('Hi'));
    expect(log()).toHaveAttribute('aria-busy', 'true');
    expect(announcer()).toHaveTextContent(/^Generating response$/);
    expect(screen.getByRole('button', { name: 'Stop' })).toBeInTheDocument();

    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'), { timeout: 3000 });
    expect(answerText()).toBe(replyFor('Hi'));
    expect(log()).not.toHaveAttribute('aria-busy');
    expect(announcer()).toHaveTextContent(/^Response complete$/);
    expect(screen.getByRole('button', { name: 'Send' })).toBeInTheDocument();
    expect(within(answer()!).getByRole('button', { name: 'Regenerate' })).toBeInTheDocument();
  });

  it.each([
    ['the Stop button', async (user: ReturnType<typeof userEvent.setup>) => user.click(screen.getByRole('button', { name: 'Stop' }))],
    ['Escape', async (user: ReturnType<typeof userEvent.setup>) => user.keyboard('{Escape}')],
  ])('stops mid-stream with %s: keeps the partial answer, says Stopped, offers Retry', async (_how, stop) => {
    scenario({ tokensPerSecond: 20 });
    const { user } = renderChat();
    await user.type(composer(), 'Tell me something{Enter}');
    await waitFor(() => expect(answerText().length).toBeGreaterThan(0));

    await stop(user);

    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'cancelled'));
    const partial = answerText();
    const full = replyFor('Tell me something');
    expect(partial.length).toBeGreaterThan(0);
    expect(full.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(full.length);
    expect(within(answer()!).getByText('Stopped')).toBeInTheDocument();
    expect(within(answer()!).getByRole('button', { name: 'Retry' })).toBeInTheDocument();
    expect(log()).not.toHaveAttribute('aria-busy');
    expect(announcer()).toHaveTextContent('Response stopped');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(composer()).toHaveFocus();
    expect(requests[0]!.signal.aborted).toBe(true);

    // Nothing more arrives after the stop.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answerText()).toBe(partial);

    // Retry sends the same question again and replaces the stopped answer.
    scenario({ tokensPerSecond: Infinity });
    await user.click(within(answer()!).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(answerText()).toBe(full);
    expect(articles('assistant')).toHaveLength(1);
    expect(articles('user')).toHaveLength(1);
    expect(composer()).toHaveFocus();
    expect(requests).toHaveLength(2);
  });

  describe('faults', () => {
    it.each(['server_error', 'stream_cut'] as const)('%s: explains it, keeps the question, and Retry succeeds', async (fault) => {
      scenario({ fault, tokensPerSecond: Infinity });
      const { user } = renderChat();
      await user.type(composer(), 'Will this work?{Enter}');

      const code = fault === 'stream_cut' ? 'network' : 'server_error';
      await waitFor(() => expect(alert()).toHaveTextContent(defaultLabels.errorTitles[code]));
      expect(alert().closest('[data-slot=error-banner]')).toHaveAttribute('data-code', code);
      expect(articles('user')[0]).toHaveTextContent('Will this work?');
      if (fault === 'stream_cut') {
        // The tokens that arrived before the cut stay, marked interrupted.
        expect(answer()).toHaveAttribute('data-status', 'error');
        expect(replyFor('Will this work?').startsWith(answerText())).toBe(true);
        expect(answerText().length).toBeGreaterThan(0);
        expect(within(answer()!).getByText('Answer interrupted')).toBeInTheDocument();
      } else {
        expect(answer()).toBeUndefined();
        expect(articles('user')[0]).toHaveAttribute('data-status', 'error');
        expect(within(articles('user')[0]!).getByText('Not sent')).toBeInTheDocument();
      }
      expect(log()).not.toHaveAttribute('aria-busy');

      server.resetHandlers();
      scenario({ tokensPerSecond: Infinity });
      const banner = alert().closest('[data-slot=error-banner]') as HTMLElement;
      await user.click(within(banner).getByRole('button', { name: 'Retry' }));
      await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
      expect(answerText()).toBe(replyFor('Will this work?'));
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
      expect(articles('user')).toHaveLength(1);
      expect(composer()).toHaveFocus();
    });

    it('unauthorized: says to sign in, offers no Retry in the banner, and the message can be retried', async () => {
      scenario({ fault: 'unauthorized' });
      const { user } = renderChat();
      await user.type(composer(), 'Who am I?{Enter}');

      await waitFor(() => expect(alert()).toHaveTextContent(defaultLabels.errorTitles.unauthorized));
      expect(alert()).toHaveTextContent(defaultLabels.checkSignIn);
      const banner = alert().closest('[data-slot=error-banner]') as HTMLElement;
      expect(within(banner).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
      const question = articles('user')[0]!;
      expect(question).toHaveTextContent('Who am I?');
      expect(within(question).getByText('Not sent')).toBeInTheDocument();

      // Signed in again: the message's own Retry sends it.
      server.resetHandlers();
      await user.click(within(question).getByRole('button', { name: 'Retry' }));
      await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'), { timeout: 3000 });
      expect(answerText()).toBe(replyFor('Who am I?'));
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    });

    it.each(['invalid_input', 'forbidden'] as const)('%s: neither the banner nor the message offers Retry', async (fault) => {
      scenario({ fault });
      const { user } = renderChat();
      await user.type(composer(), 'Not fixable by resending{Enter}');
      await waitFor(() => expect(alert()).toHaveTextContent(defaultLabels.errorTitles[fault]));
      expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
      expect(articles('user')[0]).toHaveTextContent('Not fixable by resending');
    });

    it('rate_limited: blocks Send with a countdown until Retry-After, then Retry succeeds', async () => {
      scenario({ fault: 'rate_limited', retryAfterSeconds: 1 });
      const { user } = renderChat();
      await user.type(composer(), 'Too fast{Enter}');

      await waitFor(() => expect(alert()).toHaveTextContent(defaultLabels.errorTitles.rate_limited));
      const banner = alert().closest('[data-slot=error-banner]') as HTMLElement;
      expect(banner).toHaveAttribute('data-tone', 'warning');
      expect(within(banner).getByText('You can send again in 1 s.')).toBeInTheDocument();
      expect(within(banner).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
      expect(articles('user')[0]).toHaveTextContent('Too fast');

      // The composer may be typed in, but not sent from, and says why.
      await user.type(composer(), 'Next one');
      const send = screen.getByRole('button', { name: 'Send' });
      expect(send).toBeDisabled();
      expect(screen.getByText('Too many messages. You can send again in 1 s.')).toBeInTheDocument();
      await user.keyboard('{Enter}');
      expect(requests).toHaveLength(1);
      expect(composer()).toHaveValue('Next one');

      // After the wait: Send is enabled again, the countdowns are gone, and the banner offers Retry.
      await waitFor(
        () => {
          expect(send).toBeEnabled();
          expect(screen.queryByText(/You can send again in/)).not.toBeInTheDocument();
        },
        { timeout: 3000 },
      );
      expect(within(banner).getByText(defaultLabels.canSendAgain)).toBeInTheDocument();

      server.resetHandlers();
      scenario({ tokensPerSecond: Infinity });
      await user.click(within(banner).getByRole('button', { name: 'Retry' }));
      await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
      expect(answerText()).toBe(replyFor('Too fast'));
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
      // The retry did not touch the draft.
      expect(composer()).toHaveValue('Next one');
    });
  });

  it('keeps the text when a send is refused for length, and sends nothing', async () => {
    const { user } = renderChat({ chatOptions: { maxInputLength: 10 } });
    await user.type(composer(), 'Much too long');
    await user.keyboard('{Enter}');
    expect(composer()).toHaveValue('Much too long');
    expect(screen.getByText('3 characters over the limit')).toBeInTheDocument();
    expect(composer()).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    expect(screen.queryByRole('log')).not.toBeInTheDocument();
    expect(requests).toHaveLength(0);

    // Shortened, it goes.
    scenario({ tokensPerSecond: Infinity });
    await user.clear(composer());
    await user.type(composer(), 'Short{Enter}');
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(answerText()).toBe(replyFor('Short'));
  });

  it('keeps the draft and shows why when the store refuses a starter prompt', async () => {
    const { user } = renderChat({ chatOptions: { maxInputLength: 10 }, starterPrompts: ['A prompt longer than ten'] });
    await user.type(composer(), 'My draft');
    await user.click(screen.getByRole('button', { name: 'A prompt longer than ten' }));
    expect(composer()).toHaveValue('My draft');
    expect(alert()).toHaveTextContent('The message is 24 characters; the limit is 10.');
    expect(requests).toHaveLength(0);
  });

  it('sends a starter prompt from the empty state on click', async () => {
    scenario({ tokensPerSecond: Infinity });
    const { user } = renderChat({ title: 'Support', welcomeMessage: 'Ask away.', starterPrompts: ['What can you do?', 'Show me code'] });
    expect(screen.getByRole('heading', { name: 'Support' })).toBeInTheDocument();
    expect(screen.getByText('Ask away.')).toBeInTheDocument();
    const prompts = screen.getByRole('list', { name: 'Suggestions' });
    await user.click(within(prompts).getByRole('button', { name: 'What can you do?' }));

    expect(articles('user')[0]).toHaveTextContent('What can you do?');
    expect(screen.queryByRole('list', { name: 'Suggestions' })).not.toBeInTheDocument();
    expect(composer()).toHaveFocus();
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(answerText()).toBe(replyFor('What can you do?'));
  });

  it('regenerates the last answer', async () => {
    scenario({ tokensPerSecond: Infinity });
    const { user } = renderChat();
    await user.type(composer(), 'Again{Enter}');
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    const first = answer();
    await user.click(within(first!).getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(answer()).not.toBe(first));
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(articles('assistant')).toHaveLength(1);
    expect(answerText()).toBe(replyFor('Again'));
    expect(requests).toHaveLength(2);
    expect(composer()).toHaveFocus();
  });

  it('aborts the request on unmount mid-stream, without a React warning', async () => {
    const errors = vi.spyOn(console, 'error');
    scenario({ tokensPerSecond: 20 });
    const onFinish = vi.fn();
    const { user, unmount } = renderChat({ chatOptions: { onFinish } });
    await user.type(composer(), 'Bye{Enter}');
    await waitFor(() => expect(answerText().length).toBeGreaterThan(0));
    expect(requests[0]!.signal.aborted).toBe(false);

    unmount();
    expect(requests[0]!.signal.aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(errors).not.toHaveBeenCalled();
    expect(onFinish).not.toHaveBeenCalled();
  });

  it('calls onFinish with the finished answer', async () => {
    scenario({ tokensPerSecond: Infinity });
    const onFinish = vi.fn();
    const { user } = renderChat({ chatOptions: { onFinish } });
    await user.type(composer(), 'Done?{Enter}');
    await waitFor(() => expect(onFinish).toHaveBeenCalledTimes(1));
    const finished = onFinish.mock.calls[0]![0] as ChatMessage;
    expect(finished.status).toBe('complete');
    expect(messageText(finished)).toBe(replyFor('Done?'));
  });
});
