import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Chat, ChatProvider, createFunctionTransport, createSseTransport, type ChatMessage } from 'colloquy';
import { createChatHandlers, replyFor, type ChatHandlerOptions } from 'colloquy/mocks';
import { setupRecordingServer } from '../helpers/recording-server.js';

const PROVIDER_URL = 'http://localhost/provider/api/chat/stream';
const { server, requests } = setupRecordingServer();
afterEach(() => {
  vi.restoreAllMocks();
});

function scenario(options: ChatHandlerOptions) {
  server.use(...Object.values(createChatHandlers(options)));
}

const composer = () => screen.getByRole('textbox', { name: 'Message' });
const log = () => screen.getByRole('log', { name: 'Conversation' });
const articles = (role: ChatMessage['role']) => within(log()).queryAllByRole('article').filter((article) => article.dataset.role === role);
const answer = () => articles('assistant').at(-1);
const answerText = () => answer()?.querySelector('[data-slot=message-content]')?.textContent ?? '';

describe('Chat', () => {
  it('takes its transport, title, welcome, starter prompts and placeholder from the ChatProvider', async () => {
    scenario({ tokensPerSecond: Infinity });
    const user = userEvent.setup();
    render(
      <ChatProvider
        transport={createSseTransport({ url: PROVIDER_URL })}
        title="Support"
        welcomeMessage="Ask me about your order."
        starterPrompts={['Where is my order?', 'Cancel my order']}
        placeholder="Type here"
      >
        <Chat />
      </ChatProvider>,
    );
    expect(screen.getByRole('heading', { name: 'Support' })).toBeInTheDocument();
    expect(screen.getByText('Ask me about your order.')).toBeInTheDocument();
    expect(composer()).toHaveAttribute('placeholder', 'Type here');
    const prompts = screen.getByRole('list', { name: 'Suggestions' });
    expect(within(prompts).getAllByRole('button').map((button) => button.textContent)).toEqual(['Where is my order?', 'Cancel my order']);

    await user.click(within(prompts).getByRole('button', { name: 'Where is my order?' }));
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(articles('user')[0]).toHaveTextContent('Where is my order?');
    expect(answerText()).toBe(replyFor('Where is my order?'));
    expect(requests.map((request) => request.url)).toEqual([PROVIDER_URL]);
    expect(composer()).toHaveFocus();
  });

  it('lets its props override the provider', () => {
    render(
      <ChatProvider transport={createSseTransport({ url: PROVIDER_URL })} title="Support" welcomeMessage="Provider welcome" starterPrompts={['From provider']} placeholder="Provider placeholder">
        <Chat title="Sales" welcomeMessage="Prop welcome" starterPrompts={['From prop']} placeholder="Prop placeholder" />
      </ChatProvider>,
    );
    expect(screen.getByRole('heading', { name: 'Sales' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Support' })).not.toBeInTheDocument();
    expect(screen.getByText('Prop welcome')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'From prop' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'From provider' })).not.toBeInTheDocument();
    expect(composer()).toHaveAttribute('placeholder', 'Prop placeholder');
  });

  it('uses the labels of the provider', async () => {
    const user = userEvent.setup();
    render(
      <ChatProvider transport={createSseTransport({ url: PROVIDER_URL })} labels={{ send: 'Envoyer', composerLabel: 'Votre message', emptyTitle: 'Bonjour' }}>
        <Chat />
      </ChatProvider>,
    );
    expect(screen.getByRole('heading', { name: 'Bonjour' })).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Votre message' }), 'Salut');
    expect(screen.getByRole('button', { name: 'Envoyer' })).toBeEnabled();
  });

  it('streams from /api/chat/stream on the page origin when the provider has no transport', async () => {
    scenario({ tokensPerSecond: Infinity });
    const user = userEvent.setup();
    render(
      <ChatProvider title="No transport here">
        <Chat />
      </ChatProvider>,
    );
    expect(screen.getByRole('heading', { name: 'No transport here' })).toBeInTheDocument();
    await user.type(composer(), 'Fallback{Enter}');
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(answerText()).toBe(replyFor('Fallback'));
    expect(requests.map((request) => request.url)).toEqual([new URL('/api/chat/stream', window.location.href).href]);
  });

  it('needs no provider at all', async () => {
    scenario({ tokensPerSecond: Infinity });
    const user = userEvent.setup();
    render(<Chat />);
    expect(screen.getByRole('heading', { name: 'How can I help?' })).toBeInTheDocument();
    await user.type(composer(), 'Alone{Enter}');
    await waitFor(() => expect(answer()).toHaveAttribute('data-status', 'complete'));
    expect(answerText()).toBe(replyFor('Alone'));
    expect(new URL(requests[0]!.url).pathname).toBe('/api/chat/stream');
  });

  it('prefers a transport in chatOptions over the provider', async () => {
    const user = userEvent.setup();
    const answerFn = vi.fn(async () => 'From chatOptions');
    render(
      <ChatProvider transport={createSseTransport({ url: PROVIDER_URL })}>
        <Chat chatOptions={{ transport: createFunctionTransport(answerFn) }} />
      </ChatProvider>,
    );
    await user.type(composer(), 'Which one?{Enter}');
    await waitFor(() => expect(answerText()).toBe('From chatOptions'));
    expect(answerFn).toHaveBeenCalledTimes(1);
    expect(requests).toHaveLength(0);
  });

  it('takes store options such as maxInputLength from the provider', async () => {
    const user = userEvent.setup();
    render(
      <ChatProvider transport={createSseTransport({ url: PROVIDER_URL })} maxInputLength={5}>
        <Chat />
      </ChatProvider>,
    );
    await user.type(composer(), 'Too long{Enter}');
    expect(composer()).toHaveValue('Too long');
    expect(screen.getByText('3 characters over the limit')).toBeInTheDocument();
    expect(requests).toHaveLength(0);
  });
});
