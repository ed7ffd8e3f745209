// @vitest-environment jsdom
import { render } from '@testing-library/react';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MessageList, preloadMarkdown, type ChatMessage } from 'colloquy';
import { installFakeLayout, type FakeLayout } from '../test/helpers/fake-layout.js';
import { collectGarbage, record } from './support/results.js';

const SECTION = '#12.3 Long history';
const VIEWPORT = { width: 600, height: 480 };
const RUNS = 9;
const WARMUP = 2;

/** `count` messages of three lengths (user questions, short and markdown answers), like a real conversation. */
function conversation(count: number): ChatMessage[] {
  const answers = ['Nothing blocking.', 'The **SSE transport** reports idle timeouts; the banner counts down.', 'Shipped:\n\n- paging\n- `Jump to latest`'];
  return Array.from({ length: count }, (_, index) => ({
    id: `m${index}`,
    parentId: index === 0 ? null : `m${index - 1}`,
    role: index % 2 === 0 ? 'user' : 'assistant',
    parts: [{ type: 'text', text: index % 2 === 0 ? `Stand-up note ${index}: what changed?` : `Answer ${index}. ${answers[index % 3]}`, state: 'done' }],
    createdAt: '2026-01-15T09:30:00.000Z',
    status: 'complete',
  }));
}

let layout: FakeLayout;
beforeAll(async () => {
  // Markdown loads on demand in apps; mount the rows as they render once it has, not their plain-text fallback.
  expect(await preloadMarkdown()).toBe(true);
  // jsdom lays nothing out: rows are 60 px plus 20 px per 40 characters, the log shows 480 px.
  layout = installFakeLayout((element) => {
    if (element.getAttribute('role') === 'log') return VIEWPORT;
    const row = element.firstElementChild;
    if (row?.getAttribute('data-slot') === 'message-row') return { width: VIEWPORT.width, height: rowHeight(row) };
    if (element.parentElement?.getAttribute('role') === 'log') return { width: VIEWPORT.width, height: listHeight(element) };
    return undefined;
  });
});
afterAll(() => layout.restore());

function rowHeight(row: Element): number {
  return 60 + 20 * Math.floor((row.textContent ?? '').length / 40);
}

/** The height of the log's content: virtua's sized container, or every row of a full list. */
function listHeight(content: Element): number {
  const rows = content.querySelector('[data-slot=message-rows]');
  const virtual = content.parentElement?.hasAttribute('data-virtual') ? (rows?.firstElementChild as HTMLElement | null) : null;
  if (virtual) return parseFloat(virtual.style.height);
  return [...(rows?.children ?? [])].reduce((sum, row) => sum + rowHeight(row), 0);
}

/** One mount: how long until settled, and how many rows were in the page. */
interface Mounted {
  ms: number;
  rows: number;
}

/** Mounts the list until it has measured and settled on the newest message, then unmounts it. */
async function mount(messages: ChatMessage[], virtualizeAfter?: number): Promise<Mounted> {
  collectGarbage();
  const started = performance.now();
  const view = render(<MessageList messages={messages} status="idle" virtualizeAfter={virtualizeAfter} />);
  const log = view.container.querySelector<HTMLElement>('[role=log]')!;
  layout.scroller(log, { clientHeight: VIEWPORT.height, scrollHeight: () => listHeight(log.firstElementChild!) });
  await layout.flush();
  const ms = performance.now() - started;
  const rows = log.querySelectorAll('[data-slot=message-row]').length;
  view.unmount();
  return { ms, rows };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** Runs the cases interleaved (so drift hits them alike) and returns each one's median time and mounted rows. */
async function compare<K extends string>(cases: Record<K, () => Promise<Mounted>>, runs = RUNS, warmup = WARMUP): Promise<Record<K, Mounted>> {
  const names = Object.keys(cases) as K[];
  const times = new Map<K, number[]>(names.map((name) => [name, []]));
  const rows = new Map<K, number>();
  for (let run = 0; run < warmup + runs; run++) {
    for (const name of names) {
      const result = await cases[name]();
      rows.set(name, result.rows);
      if (run >= warmup) times.get(name)!.push(result.ms);
    }
  }
  return Object.fromEntries(names.map((name) => [name, { ms: median(times.get(name)!), rows: rows.get(name)! }])) as Record<K, Mounted>;
}

it('mounts a 10,000-message conversation within 3x of a 100-message one', async () => {
  const short = conversation(100);
  const long = conversation(10_000);
  const { short: s, long: l, shortVirtual: v } = await compare({
    short: () => mount(short),
    long: () => mount(long),
    shortVirtual: () => mount(short, 0),
  });
  const ratio = l.ms / s.ms;
  record({
    section: SECTION,
    name: 'mount 10,000 messages / mount 100 (defaults)',
    value: ratio,
    unit: 'x',
    target: '<= 3x',
    ok: ratio <= 3,
    note: `median of ${RUNS}, jsdom + fake layout, until settled: 10,000 in ${l.ms.toFixed(0)} ms (${l.rows} rows mounted), 100 in ${s.ms.toFixed(0)} ms (${s.rows} rows, all)`,
  });
  record({
    section: SECTION,
    name: 'mount 10,000 / mount 100, both virtual',
    value: l.ms / v.ms,
    unit: 'x',
    note: `virtualizeAfter 0 for 100: ${v.ms.toFixed(0)} ms, ${v.rows} rows; the cost that grows with the history`,
  });
  record({ section: SECTION, name: 'rows mounted for 10,000 messages', value: l.rows, unit: 'rows', note: 'a 480 px log' });
});

it('shows what virtualisation saves: 500 messages with every row mounted', async () => {
  // Every row of 500 messages takes seconds in jsdom: three runs are enough to show the order of magnitude.
  const short = conversation(100);
  const full = conversation(500);
  const { short: s, full: f } = await compare({ short: () => mount(short), full: () => mount(full, Infinity) }, 3, 1);
  record({
    section: SECTION,
    name: 'mount 500 messages, every row / mount 100',
    value: f.ms / s.ms,
    unit: 'x',
    note: `what virtualisation avoids: ${f.ms.toFixed(0)} ms for ${f.rows} rows (median of 3)`,
  });
});

/** `updates` commits that each change only the last message, as a token does, in a mounted list; `ms` is CPU time. */
async function stream(messages: ChatMessage[], updates: number): Promise<Mounted> {
  const answer = (text: string): ChatMessage => ({ ...messages[messages.length - 1]!, id: 'answer', role: 'assistant', status: 'streaming', parts: [{ type: 'text', text, state: 'streaming' }] });
  // Made before the clock starts, as the core's store makes them: a new array per token, the same messages but the last.
  const steps = Array.from({ length: updates + 1 }, (_, update) => [...messages, answer(' token'.repeat(update))]);
  const view = render(<MessageList messages={steps[0]!} status="streaming" />);
  const log = view.container.querySelector<HTMLElement>('[role=log]')!;
  layout.scroller(log, { clientHeight: VIEWPORT.height, scrollHeight: () => listHeight(log.firstElementChild!) });
  await layout.flush();
  collectGarbage();
  const cpu = process.cpuUsage();
  for (const step of steps.slice(1)) view.rerender(<MessageList messages={step} status="streaming" />);
  const used = process.cpuUsage(cpu);
  const rows = log.querySelectorAll('[data-slot=message-row]').length;
  view.unmount();
  return { ms: (used.user + used.system) / 1000, rows };
}

it('streams into the last message of a virtual list at a cost independent of the history', async () => {
  const updates = 200;
  const long = conversation(10_000);
  const short = conversation(1_000);
  const { short: s, long: l } = await compare({ short: () => stream(short, updates), long: () => stream(long, updates) }, 5, 1);
  const ratio = l.ms / s.ms;
  record({
    section: SECTION,
    name: 'CPU per streamed commit, virtual list, 10,000 / 1,000 messages',
    value: ratio,
    unit: 'x',
    target: '<= 1.2x',
    ok: ratio <= 1.2,
    note: `${updates} commits that change only the last message (MessageList alone, jsdom + fake layout): ${((l.ms * 1000) / updates).toFixed(0)} vs ${((s.ms * 1000) / updates).toFixed(0)} µs per commit, median of 5; ${l.rows} and ${s.rows} rows mounted`,
  });
});
