import { render } from '@testing-library/react';
import fc from 'fast-check';
import { marked } from 'marked';
import { afterEach, describe, expect, it } from 'vitest';
import { Markdown } from 'colloquy';

const allowedOrigin = 'https://cdn.example.com';

// jsdom runs inline event handlers (vitest's runScripts: 'dangerously'); these payloads leave a mark if one runs.
const canary = "document.body.dataset.pwned='1'";
const ran = () => document.body.dataset.pwned !== undefined;
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Hostile model output: raw HTML, dangerous URL schemes, obfuscations, and markdown wrappers around them. */
const payloads: readonly string[] = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](java&#x09;script:alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](javascript&colon;alert(1))',
  '[x](<javascript:alert(1)>)',
  '[x](javascript:alert(1) "title")',
  '[x](%6A%61vascript:alert(1))',
  '[x](ｊａｖａｓｃｒｉｐｔ:alert(1))',
  '[x](vbscript:msgbox(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![x](javascript:alert(1))',
  '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '<javascript:alert(1)>',
  '<vbscript:msgbox(1)>',
  '[x][r]\n\n[r]: javascript:alert(1)',
  '![x][r]\n\n[r]: https://evil.example/track.png',
  '[x]\n\n[x]: data:text/html,hi',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="&#106;avascript:alert(1)">x</a>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example">',
  '<link rel=prefetch href="https://evil.example/x">',
  '<style>body{background:url(https://evil.example/x)}</style>',
  '<div style="background:url(https://evil.example/x)">x</div>',
  '<img srcset="https://evil.example/x.png 1x">',
  '<picture><source srcset="https://evil.example/x.png"><img src="https://evil.example/x.png"></picture>',
  '<video poster="https://evil.example/x.png"><source src="https://evil.example/x.mp4"></video>',
  '<audio src="https://evil.example/x.mp3" autoplay></audio>',
  '<a href="https://example.com" ping="https://evil.example/track">x</a>',
  '<svg><image href="https://evil.example/x.png"/></svg>',
  '![x](//evil.example/x.png)',
  '[x](//evil.example)',
  '![x](https://evil.example/x.png)',
  '![x](https://cdn.example.com.evil.example/x.png)',
  '![x](http://cdn.example.com/x.png)',
  '<img src="https://cdn.example.com/x.png" onerror=alert(1)>',
  '<scr<script>ipt>alert(1)</script>',
  '<details open ontoggle=alert(1)>',
  `<details open ontoggle="${canary}">x</details>`,
  `<img src=x onerror="${canary}">`,
  `<svg onload="${canary}">`,
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<base href="javascript:alert(1)//">',
  '<xss onmouseover=alert(1)>hover</xss>',
  '[<img src=x onerror=alert(1)>](https://example.com)',
  '[![x](https://evil.example/x.png)](javascript:alert(1))',
  '| a |\n|---|\n| <img src=x onerror=alert(1)> [x](javascript:alert(1)) |',
  '- [x] <script>alert(1)</script>\n- [ ] ![x](https://evil.example/t.png)',
  '> <iframe src=//evil.example>',
  '# <svg onload=alert(1)>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '`<script>alert(1)</script>`',
  '```html\n<script>alert(1)</script>\n```',
  '<!-- <img src=x onerror=alert(1)> -->',
];

/**
 * Everything in `root` that could run script or make a request: forbidden elements, event-handler attributes,
 * dangerous URL schemes, and any link that is not an absolute http(s)/mailto URL with a safe `rel`.
 */
function findViolations(root: Element, options: { imageOrigin?: string } = {}): string[] {
  const violations: string[] = [];
  const forbidden = 'script, iframe, object, embed, form, svg, math, video, audio, picture, source, track, link, meta, style, base, frame, frameset, template, noscript, xss';
  for (const element of root.querySelectorAll(forbidden)) violations.push(`<${element.localName}>`);
  for (const element of root.querySelectorAll('*')) {
    for (const { name, value } of element.attributes) {
      // Browsers ignore ASCII whitespace and controls in a scheme: strip them before looking at it.
      const normalized = [...value].filter((char) => char.charCodeAt(0) > 0x20 && char.charCodeAt(0) !== 0x7f).join('').toLowerCase();
      if (name.startsWith('on')) violations.push(`${name} on <${element.localName}>`);
      if (/^(javascript|vbscript|data):/.test(normalized)) violations.push(`${name}="${value}"`);
      if (['srcset', 'ping', 'poster', 'background', 'formaction', 'xlink:href', 'srcdoc'].includes(name)) violations.push(`${name} attribute`);
      if (name === 'style' && normalized.includes('url(')) violations.push('style with url()');
    }
  }
  for (const image of root.querySelectorAll('img')) {
    const src = image.getAttribute('src') ?? '';
    if (!options.imageOrigin || !src.startsWith(`${options.imageOrigin}/`)) violations.push(`<img src="${src}">`);
    if (image.getAttribute('referrerpolicy') !== 'no-referrer') violations.push('img without referrerpolicy');
  }
  for (const link of root.querySelectorAll('[href]')) {
    const href = link.getAttribute('href') ?? '';
    if (!/^(https?:\/\/|mailto:)/.test(href)) violations.push(`href="${href}"`);
    if (link.localName !== 'a' || !/\bnoopener\b/.test(link.getAttribute('rel') ?? '') || !/\bnoreferrer\b/.test(link.getAttribute('rel') ?? '')) {
      violations.push(`unsafe link <${link.localName} rel="${link.getAttribute('rel')}">`);
    }
  }
  return violations;
}

/** The streaming prefixes of a payload: every prefix when short, every k characters (and the whole) when long. */
function prefixes(text: string): string[] {
  const step = Math.max(1, Math.ceil(text.length / 120));
  const cuts: string[] = [];
  for (let end = 0; end < text.length; end += step) cuts.push(text.slice(0, end));
  cuts.push(text);
  return cuts;
}

afterEach(() => {
  delete document.body.dataset.pwned;
});

describe('Markdown against XSS and egress', () => {
  it('has a corpus of at least 40 payloads', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(40);
  });

  it.each(payloads.map((payload) => [JSON.stringify(payload), payload]))('renders %s inert at every streaming prefix', async (_name, payload) => {
    const { container, rerender } = render(<Markdown text="" />);
    for (const text of prefixes(payload)) {
      rerender(<Markdown text={text} />);
      expect(findViolations(container), `prefix ${JSON.stringify(text)}`).toEqual([]);
      rerender(<Markdown text={text} imageAllowlist={[allowedOrigin]} />);
      expect(findViolations(container, { imageOrigin: allowedOrigin }), `allowlisted, prefix ${JSON.stringify(text)}`).toEqual([]);
    }
    await nextTask();
    expect(ran()).toBe(false);
  });

  it('keeps the text of raw HTML visible', () => {
    const { container } = render(<Markdown text={'<img src=x onerror=alert(1)> and <script>alert(1)</script>'} />);
    expect(container).toHaveTextContent('<img src=x onerror=alert(1)> and <script>alert(1)</script>');
  });

  describe('negative control: the same checks catch an unsafe renderer', () => {
    // marked's own HTML output is inert only for these payloads (text, code and comments).
    const inertInMarked = new Set([
      '&lt;script&gt;alert(1)&lt;/script&gt;',
      '`<script>alert(1)</script>`',
      '```html\n<script>alert(1)</script>\n```',
      '<!-- <img src=x onerror=alert(1)> -->',
    ]);

    function UnsafeMarkdown({ text }: { text: string }) {
      return <div dangerouslySetInnerHTML={{ __html: marked.parse(text, { async: false }) }} />;
    }

    it.each(payloads.filter((payload) => !inertInMarked.has(payload)).map((payload) => [JSON.stringify(payload), payload]))(
      'finds violations in marked.parse(%s) set as innerHTML',
      async (_name, payload) => {
        const { container } = render(<UnsafeMarkdown text={payload} />);
        expect(findViolations(container, { imageOrigin: allowedOrigin })).not.toEqual([]);
        await nextTask(); // let queued handlers (ontoggle) run now, not in a later test
      },
    );

    it('and the canary detects script that actually runs', async () => {
      render(<UnsafeMarkdown text={`<details open ontoggle="${canary}">x</details>`} />);
      await nextTask();
      expect(ran()).toBe(true);
    });
  });

  it('renders random mixtures of dangerous fragments inert (property)', async () => {
    const fragments = fc.constantFrom(
      ...payloads,
      '<',
      '>',
      '](',
      ')',
      '[',
      '![',
      '"',
      "'",
      '&#',
      '&#x6A;',
      'javascript:',
      'JAVASCRIPT:',
      'java\tscript:',
      ' vbscript:',
      'data:text/html,',
      '//evil.example/',
      'https://cdn.example.com/',
      'https://cdn.example.com.evil.example/',
      ' onerror=alert(1)',
      ' onload=',
      'src=',
      'href=',
      '<img ',
      '<a ',
      '<svg',
      '<iframe',
      '**',
      '_',
      '`',
      '```',
      '\n',
      '\n\n',
      '| a |\n|---|\n| ',
      '- [ ] ',
      '> ',
      '# ',
      '[r]: ',
      '[r]',
      'text',
    );
    fc.assert(
      fc.property(fc.array(fragments, { maxLength: 12 }), fc.boolean(), (parts, allowlisted) => {
        const text = parts.join('');
        const { container, unmount } = render(<Markdown text={text} imageAllowlist={allowlisted ? [allowedOrigin] : undefined} />);
        const violations = findViolations(container, allowlisted ? { imageOrigin: allowedOrigin } : {});
        unmount();
        expect(violations, JSON.stringify(text)).toEqual([]);
      }),
      { numRuns: 300 },
    );
    await nextTask();
    expect(ran()).toBe(false);
  });
});
