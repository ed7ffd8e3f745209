import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { expect, it } from 'vitest';
import { record } from './support/results.js';

const SECTION = '#12.4 Bundle';
const root = resolve(import.meta.dirname, '..');
// Inside the repository, so the build's imports of its dependencies resolve; never `dist/`, which others may be using.
const work = resolve(root, 'node_modules/.cache/colloquy-bundle-bench');
const dist = resolve(work, 'dist');

/** A check in `.size-limit.json`'s format. */
interface Check {
  name: string;
  path: string | string[];
  /** What the measured app imports: from `path`, or from each file named as a key. */
  import: string | Record<string, string>;
  gzip: true;
  ignore?: string[];
  limit?: string;
}

/** One check's outcome, as `size-limit --json` reports it. */
interface Outcome {
  name: string;
  size: number;
  sizeLimit?: number;
  passed?: boolean;
}

const kB = (bytes: number) => bytes / 1000;

/** An installed package's ESM entry, as an absolute path. */
const entryOf = (name: string) => fileURLToPath(import.meta.resolve(name));

/** Runs size-limit (the same binary and plugins as `npm run size`) on `checks`; sizes by check name. */
function sizeLimit(checks: Check[]): Map<string, Outcome> {
  const config = resolve(work, 'size-limit.json');
  writeFileSync(config, JSON.stringify(checks));
  const run = spawnSync(process.execPath, [resolve(root, 'node_modules/size-limit/bin.js'), '--json', '--config', config], {
    cwd: root,
    encoding: 'utf8',
  });
  // size-limit exits 1 when a budget is exceeded: the sizes are what this benchmark records either way.
  const outcomes = JSON.parse(run.stdout) as Outcome[];
  return new Map(outcomes.map((outcome) => [outcome.name, outcome]));
}

it('records the bundle budgets of .size-limit.json on a fresh build, with anchors', async () => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // vitest runs with NODE_ENV=test, which would make the React plugin emit development JSX: build as `npm run build`.
  const env = process.env as Record<string, string | undefined>;
  const nodeEnv = env['NODE_ENV'];
  env['NODE_ENV'] = 'production';
  try {
    await build({ configFile: resolve(root, 'vite.config.ts'), mode: 'lib', logLevel: 'error', build: { outDir: dist, emptyOutDir: true } });
  } finally {
    env['NODE_ENV'] = nodeEnv;
  }
  const index = readFileSync(resolve(dist, 'index.js'), 'utf8');
  expect(index).not.toContain('jsx-dev-runtime');
  // The lazy markdown chunk exists, once, and the entry reaches it only through `import()`: what the up-front check's
  // `ignore` leaves out is exactly what an app's bundler splits off.
  const chunks = readdirSync(dist).filter((file) => /^markdown-lexer-[\w-]+\.js$/.test(file));
  expect(chunks).toHaveLength(1);
  expect(index).toContain(`import("./${chunks[0]}")`);
  expect(index).not.toMatch(/from\s*["']\.\/markdown-lexer-/);

  // The budgets exactly as `npm run size` checks them, pointed at this build.
  const budgets = (JSON.parse(readFileSync(resolve(root, '.size-limit.json'), 'utf8')) as Check[]).map((check) => ({
    ...check,
    path: resolve(dist, String(check.path).replace(/^dist\//, '')),
  }));
  const check = (name: string, path: string | string[], importLine: Check['import'], ignore?: string[]): Check => ({
    name,
    path,
    import: importLine,
    gzip: true,
    ...(ignore ? { ignore } : {}),
  });
  const extras = [
    check('streaming core', `${dist}/core.js`, '{ createChatStore, createSseTransport }'),
    check('streaming core + hooks', [`${dist}/core.js`, `${dist}/react.js`], {
      [`${dist}/core.js`]: '{ createChatStore, createSseTransport }',
      [`${dist}/react.js`]: '{ useChat, ChatProvider }',
    }),
    // esbuild (size-limit's bundler) inlines a dynamic import it can resolve: without `ignore`, the chunk counts too.
    check('Chat with the markdown chunk', `${dist}/index.js`, '{ Chat }'),
  ];
  // Anchors: the third-party code the budgets carry, as an app pays for it.
  const anchors: Array<[string, string, string]> = [
    ['marked', '{ Lexer }', 'markdown tokens (components/markdown)'],
    ['tailwind-merge', '{ extendTailwindMerge }', 'className merging (components/cn)'],
    ['virtua', '{ Virtualizer }', 'virtual rows (components/virtual-rows)'],
    ['eventsource-parser', '{ createParser }', 'SSE parsing (core/sse-answer)'],
  ];
  const anchorChecks = anchors.map(([name, importLine]) => check(`anchor: ${name} ${importLine}`, entryOf(name), importLine));
  const sizes = sizeLimit([...budgets, ...extras, ...anchorChecks]);
  const size = (name: string) => {
    const outcome = sizes.get(name);
    expect(outcome, name).toBeDefined();
    return outcome!;
  };

  for (const budget of budgets) {
    const outcome = size(budget.name);
    // `npm run size` holds each entry at today's size (it cannot grow); the issue's budget is in the check's name.
    const issueBudget = /\[issue budget ([\d.]+) kB;[^\]]*\]/.exec(budget.name);
    const target = issueBudget ? Number(issueBudget[1]) : undefined;
    record({
      section: SECTION,
      name: budget.name.replace(/\s*\[issue budget[^\]]*\]/, ''),
      value: kB(outcome.size),
      unit: 'kB',
      ...(target === undefined ? {} : { target: `<= ${target} kB`, ok: kB(outcome.size) <= target }),
      note: `min + gzip, peers (react) left out; npm run size fails above ${outcome.sizeLimit === undefined ? 'nothing' : `${kB(outcome.sizeLimit)} kB`}`,
    });
  }
  const core = size('streaming core').size;
  const withHooks = size('streaming core + hooks').size;
  record({
    section: SECTION,
    name: 'colloquy/react: useChat + ChatProvider, on top of a streaming core',
    value: kB(withHooks - core),
    unit: 'kB',
    note: `${kB(withHooks).toFixed(2)} kB together with createChatStore + createSseTransport`,
  });
  record({
    section: SECTION,
    name: 'colloquy: Chat once markdown has loaded (up front + the markdown chunk)',
    value: kB(size('Chat with the markdown chunk').size),
    unit: 'kB',
    note: 'for reference: what a chat costs in all; the chunk loads when the first chat or answer mounts',
  });
  for (const [name, importLine, usedBy] of anchors) {
    record({ section: SECTION, name: `anchor: ${name} ${importLine}`, value: kB(size(`anchor: ${name} ${importLine}`).size), unit: 'kB', note: usedBy });
  }
  rmSync(work, { recursive: true, force: true });
});
