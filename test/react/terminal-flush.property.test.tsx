import { act, render } from '@testing-library/react';
import fc from 'fast-check';
import { useEffect } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  messageText,
  useChat,
  useConversationChat,
  useConversations,
  type ChatMessage,
  type Conversation,
  type HistoryTransport,
  type UseChatOptions,
  type UseChatResult,
  type UseConversationsResult,
} from 'colloquy';
import { createManualTransport, flush, type ManualCall } from '../helpers/manual-transport.js';

/**
 * `useChat` commits at most once per animation frame while tokens stream (src/react/frame-batched-store.ts). The
 * property: whatever the timing of the deltas against the frames, at a terminal (done, error, stop, unmount,
 * conversation switch) the text shown (or kept, after an unmount) is every delta the store received, at once,
 * without waiting for another frame: no last token is lost to coalescing.
 */
/** Generous for a busy machine; not a performance assertion. */
const TIMEOUT_MS = 60_000;

type Step = { kind: 'tokens'; texts: string[] } | { kind: 'settle' } | { kind: 'frame' };

const steps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('tokens' as const), texts: fc.array(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }) }),
    fc.constant({ kind: 'settle' as const }),
    fc.constant({ kind: 'frame' as const }),
  ),
  { maxLength: 12 },
);

/** Only animation frames are faked: microtasks (the store reading its transport) run as they do in a browser. */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const answerText = (messages: ChatMessage[]): string => {
  const answer = messages.findLast((message) => message.role === 'assistant');
  return answer ? messageText(answer) : '';
};

/** Renders the answer where the test reads it as the user sees it, and hands the test each committed `useChat` result. */
function Probe({ options, expose }: { options: UseChatOptions; expose: (chat: UseChatResult) => void }) {
  const chat = useChat(options);
  useEffect(() => {
    expose(chat);
  });
  return <output>{answerText(chat.messages)}</output>;
}

/** {@link Probe} for the selected conversation of a history. */
function HistoryProbe({ transport, expose }: { transport: HistoryTransport; expose: (chat: UseChatResult, conversations: UseConversationsResult) => void }) {
  const conversations = useConversations({ transport });
  const chat = useConversationChat(conversations);
  useEffect(() => {
    expose(chat, conversations);
  });
  return <output>{answerText(chat.messages)}</output>;
}

/** What the transport was given, and what the store had read of it when the script ended. */
interface Played {
  pushed: string;
  received: string;
}

/**
 * Plays `script` into `call`. While the conversation is `visible`, what is shown must lag at most until the next
 * frame: a prefix of what the store received, and all of it right after a frame. Hidden, nothing of it may show.
 */
async function play(script: Step[], call: () => ManualCall, shown: () => string, { visible = true, from = { pushed: '', received: '' } } = {}): Promise<Played> {
  let { pushed, received } = from;
  for (const step of script) {
    if (step.kind === 'tokens') {
      call().push(...step.texts.map((content) => ({ type: 'delta' as const, content })));
      pushed += step.texts.join('');
    } else {
      await act(async () => {
        await flush();
        if (step.kind === 'frame') vi.advanceTimersToNextFrame();
      });
      received = pushed;
      if (step.kind === 'frame' && visible) expect(shown()).toBe(received);
    }
    if (visible) expect(received.startsWith(shown())).toBe(true);
    else expect(shown()).toBe('');
  }
  return { pushed, received };
}

describe('terminal flush under frame coalescing (property)', () => {
  it.each(['done', 'error', 'stop'] as const)('shows every received delta at once when the turn ends with %s', async (terminal) => {
    await fc.assert(
      fc.asyncProperty(steps, steps, async (before, last) => {
        const transport = createManualTransport();
        let chat!: UseChatResult;
        const { container, unmount } = render(<Probe options={{ transport }} expose={(latest) => (chat = latest)} />);
        const shown = () => container.querySelector('output')!.textContent;
        act(() => void chat.submit('Question'));
        const { pushed, received } = await play(before, () => transport.calls[0]!, shown);
        // The terminal follows deltas the store has not read yet: done and error come after them in the stream, so
        // they show; a stop keeps what the store had read and drops the rest with the request.
        const lastTokens = last.flatMap((step) => (step.kind === 'tokens' ? step.texts : []));
        transport.calls[0]!.push(...lastTokens.map((content) => ({ type: 'delta' as const, content })));
        await act(async () => {
          if (terminal === 'done') transport.calls[0]!.push({ type: 'done' });
          if (terminal === 'error') transport.calls[0]!.fail(new Error('connection reset'));
          if (terminal === 'stop') chat.stop();
          await flush();
        });
        const expected = terminal === 'stop' ? received : pushed + lastTokens.join('');
        expect(chat.status).toBe(terminal === 'error' ? 'error' : 'idle');
        expect(shown()).toBe(expected);
        expect(answerText(chat.store.getState().messages)).toBe(expected);
        unmount();
      }),
      { numRuns: 40 },
    );
  }, TIMEOUT_MS);

  it('keeps every received delta in the store when the component unmounts mid-answer', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (script) => {
        const transport = createManualTransport();
        const finished = vi.fn();
        let chat!: UseChatResult;
        const { container, unmount } = render(<Probe options={{ transport, onFinish: finished }} expose={(latest) => (chat = latest)} />);
        act(() => void chat.submit('Question'));
        const { received } = await play(script, () => transport.calls[0]!, () => container.querySelector('output')!.textContent);
        const { store } = chat;
        unmount();
        transport.calls[0]!.push({ type: 'delta', content: 'after unmount' }, { type: 'done' });
        await flush();
        const state = store.getState();
        expect(state.status).toBe('idle');
        expect(answerText(state.messages)).toBe(received);
        expect(state.messages.at(-1)!.status).toBe('cancelled');
        expect(finished).not.toHaveBeenCalled();
      }),
      { numRuns: 40 },
    );
  }, TIMEOUT_MS);

  it('shows every delta of a conversation when switching away and back, without waiting for a frame', async () => {
    await fc.assert(
      fc.asyncProperty(steps, steps, async (before, away) => {
        const history = createManualHistory(['a', 'b']);
        let select!: (id: string | null) => void;
        let chat!: UseChatResult;
        const expose = (latest: UseChatResult, conversations: UseConversationsResult) => {
          chat = latest;
          select = conversations.select;
        };
        const { container, unmount } = render(<HistoryProbe transport={history} expose={expose} />);
        const shown = () => container.querySelector('output')!.textContent;
        await act(async () => {
          select('a');
          await flush();
        });
        await act(async () => {
          chat.submit('Question');
          await flush();
        });
        const call = () => history.calls[0]!;
        const shownBefore = await play(before, call, shown);
        await act(async () => select('b'));
        expect(shown()).toBe('');
        // Conversation a keeps streaming while b is shown; none of it may appear in b.
        const { pushed } = await play(away, call, shown, { visible: false, from: shownBefore });
        await act(async () => {
          await flush();
          select('a');
        });
        expect(shown()).toBe(pushed);
        unmount();
      }),
      { numRuns: 40 },
    );
  }, TIMEOUT_MS);
});

/** A history backend with fixed, empty conversations, whose answers the test streams by hand. */
function createManualHistory(ids: string[]): HistoryTransport & { calls: ManualCall[] } {
  const chat = createManualTransport();
  const at = '2025-01-01T00:00:00.000Z';
  const conversation = (id: string, title = id): Conversation => ({ id, title, createdAt: at, updatedAt: at });
  return {
    calls: chat.calls,
    send: (request, options) => chat.send(request, options),
    listConversations: async () => ({ conversations: ids.map((id) => conversation(id)), nextCursor: null }),
    createConversation: async (input) => conversation(input?.id ?? 'created', input?.title),
    getConversation: async (id) => conversation(id),
    renameConversation: async (id, title) => conversation(id, title),
    deleteConversation: async () => undefined,
    listMessages: async () => ({ messages: [], nextCursor: null }),
    stopAnswer: async () => undefined,
  };
}
