import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatSimple, defaultLabels, type ChatMessage, type ChatSimpleProps } from 'colloquy';
import { createChatHandlers, replyFor, type ChatHandlerOptions } from 'colloquy/mocks';
import { createMockServer } from 'colloquy/mocks/node';

const URL = 'http://localhost/api/chat';
const server = createMockServer();
let requests: Request[] = [];
/** Their JSON bodies, read from clones before the handlers consume them. */
let bodies: Array<Promise<unknown>> = [];

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', ({ request }) => {
    requests.push(request);
    bodies.push(request.clone().json());
  });
});
afterEach(() => {
  server.resetHandlers();
  requests = [];
  bodies = [];
  vi.restoreAllMocks();
});
afterAll(() => server.close());

function scenario(options: ChatHandlerOptions) {
  server.use(...Object.values(createChatHandlers(options)));
}

function renderChat(props: Partial<ChatSimpleProps> = {}) {
  const user = userEvent.setup();
  return { user, ...render(<ChatSimple url={URL} {...props} />) };
}

const composer = () => screen.getByRole('textbox', { name: 'Message' });
const log = () => screen.getByRole('log', { name: 'Conversation' });
const articles = (role: ChatMessage['role']) => within(log()).queryAllByRole('article').filter((article) => article.dataset.role === role);
const answer = () => articles('assistant').at(-1);
const answerText = () => answer()?.querySelector('[data-slot=message-content]')?.textContent ?? '';
const alert = () => screen.getByRole('alert');
const banner = () => alert().closest('[data-slot=error-banner]') as HTMLElement;

describe('ChatSimple', () => {
  it('sends over the JSON endpoint and shows the whole answer', async () => {
    scenario({ tokensPerSecond: Infinity });
    const { user } = renderChat();
    await user.type(composer(), 'Hello JSON{Enter}');
    expect(composer()).toHaveValue('');
    expect(composer()).toHaveFocus();
    expect(articles('user')[0]).toHaveTextContent('Hello JSON');

    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(answerText()).toBe(replyFor('Hello JSON'));
    expect(within(answer()!).getByText(/\d+ tokens/)).toBeInTheDocument();
    expect(log()).not.toHaveAttribute('aria-busy');
    expect(screen.getByRole('status')).toHaveTextContent('Response complete');

    expect(requests).toHaveLength(1);
    expect(requests[0]!.url).toBe(URL);
    expect(requests[0]!.headers.get('accept')).toContain('application/json');
    const body = (await bodies[0]) as { messages: Array<{ role: string; parts: unknown[] }> };
    expect(body.messages).toEqual([{ id: expect.any(String), role: 'user', parts: [expect.objectContaining({ type: 'text', text: 'Hello JSON' })] }]);
  });

  it('sends the whole conversation on the second turn', async () => {
    scenario({ tokensPerSecond: Infinity });
    const { user } = renderChat();
    await user.type(composer(), 'One{Enter}');
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    await user.type(composer(), 'Two{Enter}');
    await waitFor(() => expect(articles('assistant')).toHaveLength(2));
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(answerText()).toBe(replyFor('Two'));
    const body = (await bodies[1]) as { messages: Array<{ role: string }> };
    expect(body.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('shows a typing indicator inside a busy log while waiting, and Stop cancels the request', async () => {
    scenario({ latencyMs: 'infinite' });
    const { user } = renderChat();
    await user.type(composer(), 'Anyone there?{Enter}');
    expect(log()).toHaveAttribute('aria-busy', 'true');
    expect(log().querySelector('[data-slot=typing-indicator]')).toBeInTheDocument();
    expect(within(articles('user')[0]!).getByText('Sending…')).toBeInTheDocument();
    await waitFor(() => expect(requests).toHaveLength(1));

    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(requests[0]!.signal.aborted).toBe(true);
    const question = articles('user')[0]!;
    expect(question).toHaveAttribute('data-status', 'cancelled');
    expect(within(question).getByText('Stopped')).toBeInTheDocument();
    expect(within(question).getByRole('button', { name: 'Retry' })).toBeInTheDocument();
    expect(log()).not.toHaveAttribute('aria-busy');
    expect(log().querySelector('[data-slot=typing-indicator]')).toBeNull();
    expect(composer()).toHaveFocus();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    scenario({ tokensPerSecond: Infinity });
    await user.click(within(question).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(answerText()).toBe(replyFor('Anyone there?'));
  });

  it.each([
    ['server_error', 'server_error'],
    ['bad_response', 'bad_response'],
    ['network', 'network'],
    ['upstream_unavailable', 'upstream_unavailable'],
  ] as const)('%s: explains it with a Retry that succeeds once the server recovers', async (fault, code) => {
    scenario({ fault });
    const { user } = renderChat();
    await user.type(composer(), 'Try me{Enter}');
    await waitFor(() => expect(alert()).toHaveTextContent(defaultLabels.errorTitles[code]));
    expect(banner()).toHaveAttribute('data-code', code);
    expect(within(articles('user')[0]!).getByText('Not sent')).toBeInTheDocument();

    server.resetHandlers();
    scenario({ tokensPerSecond: Infinity });
    await user.click(within(banner()).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(answerText()).toBe(replyFor('Try me'));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('message_too_long from the server: explains it, and there is nothing to retry', async () => {
    scenario({ maxInputLength: 5 });
    const { user } = renderChat();
    await user.type(composer(), 'Longer than five{Enter}');
    await waitFor(() => expect(alert()).toHaveTextContent(defaultLabels.errorTitles.message_too_long));
    expect(alert()).toHaveTextContent(defaultLabels.errorHints.message_too_long!);
    expect(within(banner()).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
    await user.click(within(banner()).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(articles('user')[0]).toHaveTextContent('Longer than five');
  });

  it('sends headers from transportOptions', async () => {
    scenario({ tokensPerSecond: Infinity });
    const { user } = renderChat({ transportOptions: { headers: { Authorization: 'Bearer t0ken' } } });
    await user.type(composer(), 'Auth{Enter}');
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(requests[0]!.headers.get('authorization')).toBe('Bearer t0ken');
  });
});
