import { render } from '@testing-library/react';
import fc from 'fast-check';
import { marked } from 'marked';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Markdown, preloadMarkdown } from 'colloquy';
import { dompurifyPayloads } from './fixtures/dompurify-payloads.js';
import { canaryRan, hostileMarkdown } from './fixtures/hostile-markdown.js';
import { findViolations, violationKinds } from './fixtures/inert-dom.js';
import { markdownXssPayloads } from './fixtures/markdown-xss-payloads.js';
import { markdownContexts, payloadCount, xssCorpus, type CorpusSource } from './fixtures/xss-corpus.js';

// Markdown loads on demand; these tests are about what it renders, so it is there before the first one.
beforeAll(async () => {
  expect(await preloadMarkdown()).toBe(true);
});

// Public XSS corpora (DOMPurify's test payloads, a markdown XSS list) and colloquy's own, as raw HTML and inside
// every markdown context, through Markdown: the rendered DOM must hold nothing that runs script or loads anything.
// The same check run on a deliberately unsafe renderer must fail, rule by rule, or it proves nothing. Whether script
// actually ran is read from the canary payloads (jsdom runs inline handlers here; its alert() cannot be stubbed from
// the test, as handlers resolve it in jsdom's own global).

const cdn = 'https://cdn.example.com';

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The renderer the check must catch: marked's own HTML output, trusted as is. Test-only. */
function UnsafeMarkdown({ text }: { text: string }) {
  return <div dangerouslySetInnerHTML={{ __html: marked.parse(text, { async: false }) }} />;
}

/**
 * The violations in each entry's DOM (all entries rendered at once, each in its own root); only entries with some.
 * The DOM stays mounted for one task after the check, so queued handlers (ontoggle, onerror) get their chance to run.
 */
async function violationsByEntry(entries: readonly { markdown: string }[], renderer: 'Markdown' | 'unsafe'): Promise<Array<[string, string[]]>> {
  const { container, unmount } = render(
    <>
      {entries.map(({ markdown }, index) => (
        <section key={index}>{renderer === 'Markdown' ? <Markdown text={markdown} /> : <UnsafeMarkdown text={markdown} />}</section>
      ))}
    </>,
  );
  const found: Array<[string, string[]]> = [];
  [...container.children].forEach((section, index) => {
    const violations = findViolations(section.firstElementChild!);
    if (violations.length > 0) found.push([entries[index]!.markdown, violations]);
  });
  await nextTask();
  unmount();
  return found;
}

afterEach(() => {
  delete document.body.dataset['pwned'];
});

describe('Markdown renders public XSS corpora inert', () => {
  it('holds every payload of the three lists, in every context', () => {
    expect(dompurifyPayloads.length).toBeGreaterThanOrEqual(200);
    expect(markdownXssPayloads.length).toBeGreaterThanOrEqual(25);
    expect(payloadCount).toBe(dompurifyPayloads.length + markdownXssPayloads.length + hostileMarkdown.length);
    expect(xssCorpus.length).toBe(payloadCount * markdownContexts.length);
  });

  it.each<CorpusSource>(['DOMPurify', 'Markdown-XSS-Payloads', 'colloquy'])('renders every %s payload inert, and runs none of it', async (source) => {
    expect(await violationsByEntry(xssCorpus.filter((entry) => entry.source === source), 'Markdown')).toEqual([]);
    expect(canaryRan()).toBe(false);
  }, 30_000);

  it('renders random mixtures of markdown, HTML and corpus fragments inert (300 runs)', () => {
    fc.assert(inertProperty('Markdown'), { numRuns: 300, seed: 20_251_125 });
  }, 30_000);

  describe('negative control: the same check fails an unsafe renderer', () => {
    it('flags marked’s HTML of the payloads under every rule of the check, and its handlers run', async () => {
      const asWritten = xssCorpus.filter((entry) => entry.context === 'as written');
      const flagged = await violationsByEntry(asWritten, 'unsafe');
      const kinds = new Set(flagged.flatMap(([, violations]) => violations.map((violation) => violation.slice(0, violation.indexOf(':')))));
      expect([...kinds].sort()).toEqual([...violationKinds].sort());
      // Most payloads are markup; the rest are text, comments or code and stay inert even there.
      expect(flagged.length).toBeGreaterThan(asWritten.length / 2);
      expect(canaryRan()).toBe(true);
    }, 30_000);

    it('finds a counterexample to the random-mixture property within the same 300 runs', () => {
      const result = fc.check(inertProperty('unsafe'), { numRuns: 300, seed: 20_251_125 });
      expect(result.failed).toBe(true);
    });
  });
});

/** Markdown syntax a model writes around echoed text. */
const markdownSyntax = fc.constantFrom('\n', '\n\n', '- ', '> ', '# ', '| a |\n|---|\n| ', '**', '_', '`', '```\n', '[', '](', ')', '![', '[r]: ', '&#x6A;', '\\');

/** A tag with one attribute that runs script or loads something, quoted three ways, closed or left open. */
const htmlTag = fc
  .record({
    tag: fc.constantFrom('img', 'a', 'svg', 'iframe', 'script', 'div', 'details open', 'video', 'math', 'form', 'object', 'embed', 'link', 'meta', 'style', 'input', 'base'),
    attribute: fc.constantFrom('src', 'href', 'onerror', 'onload', 'ontoggle', 'style', 'srcset', 'poster', 'action', 'formaction', 'xlink:href', 'data', 'background', 'ping'),
    value: fc.constantFrom('javascript:alert(1)', 'https://evil.example/x.png', '//evil.example/x', 'data:text/html,<script>alert(1)</script>', 'alert(1)', 'background:url(https://evil.example/bg)', `${cdn}/x.png`),
    quote: fc.constantFrom('"', "'", ''),
    close: fc.boolean(),
  })
  .map(({ tag, attribute, value, quote, close }) => `<${tag} ${attribute}=${quote}${value}${quote}>${close ? `x</${tag.split(' ')[0]}>` : ''}`);

/** Any slice of any payload of the corpora: half-written payloads are what a stream shows. */
const payloadSlice = fc
  .constantFrom(...dompurifyPayloads, ...markdownXssPayloads, ...hostileMarkdown)
  .chain((payload) => fc.tuple(fc.nat(payload.length), fc.nat(payload.length)).map(([a, b]) => payload.slice(Math.min(a, b), Math.max(a, b))));

const mixture = fc.array(fc.oneof(markdownSyntax, htmlTag, payloadSlice, fc.string({ maxLength: 8 })), { maxLength: 12 }).map((parts) => parts.join(''));

/** The property both renderers face: any mixture, with or without an image allowlist, renders inert. */
function inertProperty(renderer: 'Markdown' | 'unsafe') {
  return fc.property(mixture, fc.boolean(), (text, allowlisted) => {
    const imageOrigins = allowlisted ? [cdn] : undefined;
    const { container, unmount } = render(
      renderer === 'Markdown' ? <Markdown text={text} imageAllowlist={imageOrigins} /> : <UnsafeMarkdown text={text} />,
    );
    const violations = findViolations(container.firstElementChild!, { imageOrigins });
    unmount();
    expect(violations, JSON.stringify(text)).toEqual([]);
  });
}
