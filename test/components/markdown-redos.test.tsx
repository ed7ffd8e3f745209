import { render } from '@testing-library/react';
import fc from 'fast-check';
import { marked } from 'marked';
import { beforeAll, describe, expect, it } from 'vitest';
import { Markdown, preloadMarkdown } from 'colloquy';
import { deepNesting, pathologicalFamilies, type PathologicalFamily } from './fixtures/pathological-markdown.js';

// Markdown loads on demand; these tests are about what it renders, so it is there before the first one.
beforeAll(async () => {
  expect(await preloadMarkdown()).toBe(true);
});

// ReDoS budget: no model output may stall the page. Every pathological family renders 50,000 characters within
// 250 ms, and 100,000 within 2.5x the time of 50,000 (linear time, with room for noise); the same holds while the
// text streams in. Timing on a shared CI machine is noisy, so figures come from several interleaved renders after a
// warm-up (medians for the budget, the fastest runs for the growth), times under a few milliseconds are compared
// from a floor, a miss is retried, and 250 ms is 3 to 10 times what an idle machine needs. A super-linear family
// fails anyway, by far: before the limits in src/components/markdown-lexer.ts, `_a_a…` took 4 s and `aaa…@` 12 s
// at 50,000 characters, and every doubling took 4x longer. Times are this process's CPU time, not the wall clock:
// the other test projects run in other processes on the same cores, and their load must not count as ours.

/** Milliseconds of CPU time this process has used (user + system). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const length = 50_000;
const budgetMs = 250;
const maxGrowth = 2.5;
/** Below this, timer resolution and GC pauses dominate a ratio: both times are raised to it before dividing. */
const noiseFloorMs = 8;
/** The same floor for the sum of 51 re-renders of a stream. */
const streamFloorMs = 100;
const samples = 5;

function renderMs(text: string): number {
  const start = cpuMs();
  const { unmount } = render(<Markdown text={text} />);
  const elapsed = cpuMs() - start;
  unmount();
  return elapsed;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Render times of a family at `length` and twice that, measured alternately so load hits both alike: the median
 * for the budget, and the growth from the fastest runs (noise only ever adds time, so the minimum is the steadiest).
 */
function measure(family: PathologicalFamily): { small: number; large: number; growth: number } {
  const small = family.make(length);
  const large = family.make(2 * length);
  renderMs(small); // warm-up: compile the code paths this family takes
  const smallMs: number[] = [];
  const largeMs: number[] = [];
  for (let run = 0; run < samples; run++) {
    smallMs.push(renderMs(small));
    largeMs.push(renderMs(large));
  }
  const floor = (ms: number) => Math.max(ms, noiseFloorMs);
  return { small: median(smallMs), large: median(largeMs), growth: floor(Math.min(...largeMs)) / floor(Math.min(...smallMs)) };
}

/** Re-renders `text` at `points` prefixes spread over it, as a stream does; the time of each re-render. */
function streamMs(text: string, points: number): number[] {
  const { rerender, unmount } = render(<Markdown text="" />);
  const times: number[] = [];
  for (let point = 1; point <= points; point++) {
    const prefix = text.slice(0, Math.round((text.length * point) / points));
    const start = cpuMs();
    rerender(<Markdown text={prefix} />);
    times.push(cpuMs() - start);
  }
  unmount();
  return times;
}

const format = (ms: number) => `${ms.toFixed(1)} ms`;

// A timing miss from a load spike does not repeat; a super-linear family misses every time, by 4x at 100,000.
describe('Markdown renders pathological input in linear time', { retry: 2 }, () => {
  it.for(pathologicalFamilies)('$name: 50,000 characters within 250 ms, 100,000 within 2.5x that', async (family, { annotate }) => {
    const { small, large, growth } = measure(family);
    const figures = `${format(small)} at 50,000 characters, ${format(large)} at 100,000 (medians); fastest runs x${growth.toFixed(2)}`;
    await annotate(figures);
    expect(small, figures).toBeLessThanOrEqual(budgetMs);
    expect(growth, figures).toBeLessThanOrEqual(maxGrowth);
  });

  it.for(deepNesting)('$name: within 250 ms', async (family, { annotate }) => {
    const text = family.make(0);
    renderMs(text);
    const ms = median(Array.from({ length: samples }, () => renderMs(text)));
    const figures = `${format(ms)} for ${text.length} characters (median)`;
    await annotate(figures);
    expect(ms, figures).toBeLessThanOrEqual(budgetMs);
  });

  // Streaming re-lexes the whole text at every token; 200 prefix points stand for the tokens (50,000 re-renders would
  // take minutes). Point 2k shows twice the text of point k, so the same stream also gives the growth: the time of
  // points 100…200 over that of points 50…100.
  const streamed = ['*a alternation', '_a run before @', 'unclosed link title', 'list staircase'];
  it.for(pathologicalFamilies.filter((family) => streamed.includes(family.name)))(
    '$name, streamed: every re-render within 250 ms, and linear growth',
    { timeout: 20_000 },
    async (family, { annotate }) => {
      const steps = streamMs(family.make(length), 200);
      const sum = (from: number, to: number, scale: number) => {
        let total = 0;
        for (let point = from; point <= to; point++) total += steps[point * scale - 1]!;
        return total;
      };
      const slowest = Math.max(...steps);
      const growth = Math.max(sum(50, 100, 2), streamFloorMs) / Math.max(sum(50, 100, 1), streamFloorMs);
      const figures = `slowest of 200 re-renders ${format(slowest)}; doubling the streamed text: x${growth.toFixed(2)}`;
      await annotate(figures);
      expect(slowest, figures).toBeLessThanOrEqual(budgetMs);
      expect(growth, figures).toBeLessThanOrEqual(maxGrowth);
    },
  );
});

describe('past a limit, Markdown keeps the text literally', () => {
  it.each([
    ['the 201st nested list item', deepNesting[0]!.make(0), 'item 199'],
    ['the 200th nested quote', deepNesting[2]!.make(0), 'quote'],
    ['emphasis past the 256th', '*a'.repeat(2_000), '*a*a*a*a*a'],
    ['code spans past the 256th', '`a'.repeat(2_000), '`a`a`a`a`a'],
    ['a 1,000-character e-mail local part', `${'a'.repeat(1_000)}@example.com`, `${'a'.repeat(1_000)}@example.com`],
  ])('%s', (_name, text, shown) => {
    const { container } = render(<Markdown text={text} />);
    expect(container.textContent).toContain(shown);
  });

  it.each([
    ['lists', deepNesting[0]!.make(0), 'ul'],
    ['quotes', deepNesting[2]!.make(0), 'blockquote'],
  ])('nests %s 16 levels deep at most, not 200', (_name, text, container) => {
    const { container: root } = render(<Markdown text={text} />);
    const depth = root.querySelectorAll(container).length;
    expect(depth).toBeGreaterThan(8);
    expect(depth).toBeLessThanOrEqual(16);
  });
});

/** Absolute http(s) and mailto hrefs as a browser follows them (marked percent-encodes `[` and `\\`; Markdown does not). */
function safeHrefs(root: Element): string[] {
  return [...root.querySelectorAll('a[href]')]
    .map((link) => link.getAttribute('href') ?? '')
    .flatMap((href) => {
      try {
        const url = new URL(decodeURI(href));
        return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? [url.href] : [];
      } catch {
        return [];
      }
    });
}

function structure(root: Element): Record<string, unknown> {
  const count = (selector: string) => root.querySelectorAll(selector).length;
  return {
    emphasis: count('em'),
    strong: count('strong'),
    deleted: count('del'),
    code: count('code'),
    headings: count('h1, h2, h3, h4, h5, h6'),
    items: count('li'),
    quotes: count('blockquote'),
    cells: count('td, th'),
    breaks: count('br'),
    links: safeHrefs(root),
  };
}

const ordinary = fc
  .array(
    fc.constantFrom(
      'word', ' ', '\n', '\n\n', '*', '**', '_', '__', '~', '~~', '`', '``', '```\n', '[', ']', '(', ')', '&amp;', '&#106;', '\\',
      'www.', 'www.example.com', 'https://x.example/p', '<https://x.example/a>', 'user@example.com', '@', '.', '-', '#', '!',
      '|', '- ', '> ', '1. ', '# ', '_x_', '*x*', '`c`', '  \n', '[t](https://x.example/t)', '[r]', '[r]: https://x.example/r\n',
      'a.b.c.d.e.f.g.h', 'a'.repeat(100), '_a'.repeat(70), '#'.repeat(70), '`'.repeat(40),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''))
  // By design, no autolink for an e-mail local part over 64 characters (RFC 5321), nor for a `www.` deep inside a run
  // of over 100 address characters ending in `@` (GFM wants it after a space or delimiter; marked links it anyway).
  .filter((text) => !/[A-Za-z0-9._+-]{65,}@/.test(text) && !/[a-zA-Z0-9.!#$%&'*+/=?_`{|}~-]{100,}@/.test(text));

it('leaves ordinary markdown as marked reads it: the same emphasis, code, blocks and links (200 documents)', () => {
  fc.assert(
    fc.property(ordinary, (text) => {
      const { container, unmount } = render(<Markdown text={text} />);
      const ours = structure(container);
      unmount();
      const reference = document.createElement('div');
      reference.innerHTML = marked.parse(text, { async: false });
      expect(ours, JSON.stringify(text)).toEqual(structure(reference));
    }),
    { numRuns: 200, seed: 20_251_125 },
  );
});
