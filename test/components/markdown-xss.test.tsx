import { render } from '@testing-library/react';
import fc from 'fast-check';
import { marked } from 'marked';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Markdown, preloadMarkdown } from 'colloquy';
import { canary, canaryRan as ran, hostileMarkdown as payloads } from './fixtures/hostile-markdown.js';
import { findViolations } from './fixtures/inert-dom.js';

// Markdown loads on demand; these tests are about what it renders, so it is there before the first one.
beforeAll(async () => {
  expect(await preloadMarkdown()).toBe(true);
});

// colloquy's own hostile payloads, each streamed prefix by prefix; the public corpora are in
// markdown-xss-corpus.test.tsx, network loads in markdown-egress.test.tsx. Both share the check in fixtures/inert-dom.
const allowedOrigin = 'https://cdn.example.com';
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The streaming prefixes of a payload: every prefix when short, every k characters (and the whole) when long. */
function prefixes(text: string): string[] {
  const step = Math.max(1, Math.ceil(text.length / 120));
  const cuts: string[] = [];
  for (let end = 0; end < text.length; end += step) cuts.push(text.slice(0, end));
  cuts.push(text);
  return cuts;
}

afterEach(() => {
  delete document.body.dataset['pwned'];
});

describe('Markdown against XSS and egress', () => {
  it('has a corpus of at least 40 payloads', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(40);
  });

  it.each(payloads.map((payload) => [JSON.stringify(payload), payload]))('renders %s inert at every streaming prefix', async (_name, payload) => {
    const { container, rerender } = render(<Markdown text="" />);
    for (const text of prefixes(payload)) {
      rerender(<Markdown text={text} />);
      expect(findViolations(container.firstElementChild!), `prefix ${JSON.stringify(text)}`).toEqual([]);
      rerender(<Markdown text={text} imageAllowlist={[allowedOrigin]} />);
      expect(findViolations(container.firstElementChild!, { imageOrigins: [allowedOrigin] }), `allowlisted, prefix ${JSON.stringify(text)}`).toEqual([]);
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
        expect(findViolations(container.firstElementChild!, { imageOrigins: [allowedOrigin] })).not.toEqual([]);
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
        const violations = findViolations(container.firstElementChild!, allowlisted ? { imageOrigins: [allowedOrigin] } : {});
        unmount();
        expect(violations, JSON.stringify(text)).toEqual([]);
      }),
      { numRuns: 300 },
    );
    await nextTask();
    expect(ran()).toBe(false);
  });
});
