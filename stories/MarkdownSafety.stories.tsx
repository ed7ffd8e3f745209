import type { Meta, StoryObj } from '@storybook/react-vite';
import { marked } from 'marked';
import { expect } from 'storybook/test';
import { Markdown } from 'colloquy';
import { canaryRan } from '../test/components/fixtures/hostile-markdown';
import { findViolations } from '../test/components/fixtures/inert-dom';
import { markdownContexts, payloadCount, xssCorpus } from '../test/components/fixtures/xss-corpus';

/**
 * The XSS corpus of test/components/markdown-xss-corpus.test.tsx (DOMPurify's payloads, a public markdown XSS list
 * and colloquy's own, each in every markdown context), rendered by `Markdown` in a real browser. The documents sit in
 * a collapsed region, so the story stays one screen tall; open it to read how each payload renders as text.
 */
function SafetyCorpus() {
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: '0.5rem', maxWidth: '40rem' }}>
      <p style={{ margin: 0, fontWeight: 600 }}>Hostile markdown, rendered inert</p>
      <p style={{ margin: 0 }}>
        {payloadCount} payloads in {markdownContexts.length} markdown contexts: {xssCorpus.length} documents, none of which may run
        script or load anything.
      </p>
      <details>
        <summary>Show the rendered documents</summary>
        <ol data-corpus="" style={{ display: 'flex', flexDirection: 'column', gap: '0.75rem', paddingInlineStart: '1.5rem' }}>
          {xssCorpus.map((entry, index) => (
            <li key={index} data-source={entry.source} data-context={entry.context}>
              <Markdown text={entry.markdown} />
            </li>
          ))}
        </ol>
      </details>
    </div>
  );
}

const meta = {
  title: 'Markdown/Safety',
  component: SafetyCorpus,
} satisfies Meta<typeof SafetyCorpus>;
export default meta;
type Story = StoryObj<typeof meta>;

/**
 * Every document renders, and the inert-DOM check of the jsdom tests passes on Chromium's DOM. As a control, the same
 * check fails marked's own HTML of the corpus, parsed into a document with no browsing context (nothing in it runs or
 * loads).
 */
export const HostileCorpus: Story = {
  name: 'Hostile corpus – rendered inert',
  play: async ({ canvasElement }) => {
    const roots = [...canvasElement.querySelectorAll('[data-corpus] > li > [data-slot=markdown]')];
    await expect(roots).toHaveLength(xssCorpus.length);
    const violations = roots.flatMap((root, index) => findViolations(root).map((violation) => `${xssCorpus[index]!.markdown}: ${violation}`));
    await expect(violations).toEqual([]);

    const inert = document.implementation.createHTMLDocument('');
    const unsafe = xssCorpus.filter((entry) => entry.context === 'as written').filter((entry) => {
      const root = inert.createElement('div');
      root.innerHTML = marked.parse(entry.markdown, { async: false });
      return findViolations(root).length > 0;
    });
    await expect(unsafe.length).toBeGreaterThan(payloadCount / 2);

    await new Promise((resolve) => setTimeout(resolve, 0)); // queued handlers would have run by now
    await expect(canaryRan()).toBe(false);
  },
};
