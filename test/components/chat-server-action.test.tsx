import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ChatServerAction,
  defaultLabels,
  type ChatMessage,
  type ChatServerActionFn,
  type FunctionTransportResult,
  type WireChatRequest,
} from 'colloquy';

const composer = () => screen.getByRole('textbox', { name: 'Message' });
const log = () => screen.getByRole('log', { name: 'Conversation' });
const articles = (role: ChatMessage['role']) => within(log()).queryAllByRole('article').filter((article) => article.dataset.role === role);
const answer = () => articles('assistant').at(-1);
const answerText = () => answer()?.querySelector('[data-slot=message-content]')?.textContent ?? '';
const alert = () => screen.getByRole('alert');
const banner = () => alert().closest('[data-slot=error-banner]') as HTMLElement;

/** A server action double: answers with `results` in turn (the last one repeats) and records what it received. */
function action(...results: FunctionTransportResult[]) {
  let call = 0;
  return vi.fn<ChatServerActionFn>(async () => results[Math.min(call++, results.length - 1)]!);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ChatServerAction', () => {
  it('calls the action with the wire request and shows its answer', async () => {
    const user = userEvent.setup();
    const chatAction = action({ ok: true, message: 'Hi' });
    render(<ChatServerAction action={chatAction} />);
    await user.type(composer(), 'Hello action{Enter}');
    expect(composer()).toHaveValue('');
    expect(composer()).toHaveFocus();

    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(answerText()).toBe('Hi');
    expect(articles('user')[0]).toHaveTextContent('Hello action');
    expect(chatAction).toHaveBeenCalledTimes(1);
    const request = chatAction.mock.calls[0]![0];
    // Only the protocol's fields cross the boundary: no status, timestamps or parent ids, no signal.
    expect(request).toEqual({ messages: [{ id: expect.any(String), role: 'user', parts: [expect.objectContaining({ type: 'text', text: 'Hello action' })] }] });
    expect(Object.keys(request.messages[0]!).sort()).toEqual(['id', 'parts', 'role']);
    expect(chatAction.mock.calls[0]).toHaveLength(1);
    expect(() => structuredClone(request)).not.toThrow();
    expect(log()).not.toHaveAttribute('aria-busy');
  });

  it('sends the whole conversation, the system prompt first, and ids that match the messages shown', async () => {
    const user = userEvent.setup();
    const chatAction = action({ ok: true, message: 'First answer' }, { ok: true, message: 'Second answer' });
    render(<ChatServerAction action={chatAction} chatOptions={{ system: 'Be brief.' }} />);
    await user.type(composer(), 'One{Enter}');
    await waitFor(() => expect(answerText()).toBe('First answer'));
    await user.type(composer(), 'Two{Enter}');
    await waitFor(() => expect(answerText()).toBe('Second answer'));

    const second: WireChatRequest = chatAction.mock.calls[1]![0];
    expect(second.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(second.messages[0]!.parts).toEqual([expect.objectContaining({ type: 'text', text: 'Be brief.' })]);
    expect(second.messages[2]!.parts).toEqual([expect.objectContaining({ type: 'text', text: 'First answer' })]);
    expect(second.messages[1]!.id).toBe(chatAction.mock.calls[0]![0].messages[1]!.id);
  });

  it('rate_limited failure: explains it, blocks Send until retryAfterMs, then Retry calls the action again', async () => {
    const user = userEvent.setup();
    const chatAction = action(
      { ok: false, error: { code: 'rate_limited', message: 'Slow down, try again in 1 s.', retryAfterMs: 1000 } },
      { ok: true, message: 'Thanks for waiting' },
    );
    render(<ChatServerAction action={chatAction} />);
    await user.type(composer(), 'Quick{Enter}');

    await waitFor(() => expect(alert()).toHaveTextContent(defaultLabels.errorTitles.rate_limited));
    expect(banner()).toHaveAttribute('data-code', 'rate_limited');
    expect(within(banner()).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
    expect(within(articles('user')[0]!).getByText('Not sent')).toBeInTheDocument();

    await user.type(composer(), 'Draft');
    const send = screen.getByRole('button', { name: 'Send' });
    expect(send).toBeDisabled();
    expect(screen.getByText('Too many messages. You can send again in 1 s.')).toBeInTheDocument();

    await waitFor(() => expect(send).toBeEnabled(), { timeout: 3000 });
    await user.click(within(banner()).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(answerText()).toBe('Thanks for waiting'));
    expect(chatAction).toHaveBeenCalledTimes(2);
    // Retry sends the same message, with the same id.
    expect(chatAction.mock.calls[1]![0].messages).toEqual(chatAction.mock.calls[0]![0].messages);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(composer()).toHaveValue('Draft');
  });

  it('the banner offers Retry as soon as Send is enabled again, even after a slow main thread', async () => {
    const user = userEvent.setup();
    const chatAction = action({ ok: false, error: { code: 'rate_limited', message: 'Slow down.', retryAfterMs: 1000 } });
    // A busy main thread (a heavy onError, a long render) between the error and the banner's first render.
    const onError = () => {
      const until = Date.now() + 300;
      while (Date.now() < until) {
        // blocking on purpose
      }
    };
    render(<ChatServerAction action={chatAction} chatOptions={{ onError }} />);
    await user.type(composer(), 'Quick{Enter}');
    await waitFor(() => expect(alert()).toHaveTextContent(defaultLabels.errorTitles.rate_limited));
    await user.type(composer(), 'Next');
    const send = screen.getByRole('button', { name: 'Send' });
    expect(send).toBeDisabled();

    await waitFor(() => expect(send).toBeEnabled(), { timeout: 3000 });
    // The same deadline for both: no "1 s" left in the banner once the composer may send.
    await waitFor(() => expect(within(banner()).getByRole('button', { name: 'Retry' })).toBeInTheDocument(), { timeout: 100 });
    expect(screen.queryByText(/You can send again in/)).not.toBeInTheDocument();
  });

  it('a typed failure with another code shows that code', async () => {
    const user = userEvent.setup();
    render(<ChatServerAction action={action({ ok: false, error: { code: 'forbidden', message: 'Not your workspace.' } })} />);
    await user.type(composer(), 'Let me in{Enter}');
    await waitFor(() => expect(alert()).toHaveTextContent(defaultLabels.errorTitles.forbidden));
    expect(alert()).toHaveTextContent('Not your workspace.');
    expect(within(banner()).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
  });

  it('a thrown error becomes a generic server_error: its message never reaches the screen', async () => {
    const user = userEvent.setup();
    const chatAction = vi.fn<ChatServerActionFn>(async () => {
      throw new Error('connection string postgres://admin:hunter2@db');
    });
    render(<ChatServerAction action={chatAction} />);
    await user.type(composer(), 'Boom{Enter}');
    await waitFor(() => expect(alert()).toHaveTextContent(defaultLabels.errorTitles.server_error));
    expect(document.body).not.toHaveTextContent('hunter2');
    expect(within(banner()).getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });

  it('Stop ends the turn at once and ignores the answer if it still arrives', async () => {
    const user = userEvent.setup();
    let answerLate: (result: FunctionTransportResult) => void = () => {};
    const chatAction = vi.fn<ChatServerActionFn>(
      () =>
        new Promise<FunctionTransportResult>((resolve) => {
          answerLate = resolve;
        }),
    );
    render(<ChatServerAction action={chatAction} />);
    await user.type(composer(), 'Slow one{Enter}');
    expect(log()).toHaveAttribute('aria-busy', 'true');
    await waitFor(() => expect(chatAction).toHaveBeenCalledTimes(1));

    await user.click(screen.getByRole('button', { name: 'Stop' }));
    const question = articles('user')[0]!;
    expect(question).toHaveAttribute('data-status', 'cancelled');
    expect(within(question).getByText('Stopped')).toBeInTheDocument();
    expect(within(question).getByRole('button', { name: 'Retry' })).toBeInTheDocument();
    expect(log()).not.toHaveAttribute('aria-busy');
    expect(composer()).toHaveFocus();

    answerLate({ ok: true, message: 'Too late' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.queryByText('Too late')).not.toBeInTheDocument();
    expect(answer()).toBeUndefined();
  });

  it('calls the latest action passed, without remounting', async () => {
    const user = userEvent.setup();
    const first = action({ ok: true, message: 'From the first' });
    const second = action({ ok: true, message: 'From the second' });
    const { rerender } = render(<ChatServerAction action={first} />);
    await user.type(composer(), 'A{Enter}');
    await waitFor(() => expect(answerText()).toBe('From the first'));

    rerender(<ChatServerAction action={second} />);
    await user.type(composer(), 'B{Enter}');
    await waitFor(() => expect(answerText()).toBe('From the second'));
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
    // The conversation survived the new action.
    expect(articles('user')).toHaveLength(2);
  });

  it('streams an async iterable answer', async () => {
    const user = userEvent.setup();
    const chatAction = vi.fn<ChatServerActionFn>(async () =>
      (async function* () {
        yield 'Streamed ';
        yield 'from an action';
      })(),
    );
    render(<ChatServerAction action={chatAction} />);
    await user.type(composer(), 'Stream{Enter}');
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(answerText()).toBe('Streamed from an action');
  });
});
