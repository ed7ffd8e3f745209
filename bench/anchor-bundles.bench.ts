import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { anchorModules, installAnchors } from './fixtures/anchors.js';
import { record } from './support/results.js';

const SECTION = '#12.4 Bundle';
const root = resolve(import.meta.dirname, '..');
// Under the anchors' node_modules, so the entries' bare imports resolve to the anchors and never to the kit's own.
const work = resolve(anchorModules, '.cache/colloquy-anchor-bundles');

/** One composition the issue names, as an app would import it. */
interface Composition {
  /** Row name after `anchor (issue): `. */
  readonly what: string;
  /** The issue's own figure, as written there. */
  readonly issue: string;
  /** The entry's body: `export { ... } from '...'` lines, exactly what the issue names. */
  readonly exports: readonly string[];
  /** Packages whose version the note gives. */
  readonly packages: readonly string[];
}

const compositions: readonly Composition[] = [
  {
    what: 'assistant-ui primitives + local runtime',
    issue: '160 KB',
    exports: [
      "export { AssistantRuntimeProvider, useLocalRuntime, ThreadPrimitive, MessagePrimitive, ComposerPrimitive, ActionBarPrimitive } from '@assistant-ui/react';",
    ],
    packages: ['@assistant-ui/react'],
  },
  {
    what: 'assistant-ui primitives + local runtime + its markdown',
    issue: '199 KB',
    exports: [
      "export { AssistantRuntimeProvider, useLocalRuntime, ThreadPrimitive, MessagePrimitive, ComposerPrimitive, ActionBarPrimitive } from '@assistant-ui/react';",
      "export { MarkdownTextPrimitive } from '@assistant-ui/react-markdown';",
    ],
    packages: ['@assistant-ui/react', '@assistant-ui/react-markdown'],
  },
  {
    what: 'AI SDK useChat + DefaultChatTransport',
    issue: '131 KB, 84% of it zod',
    exports: ["export { useChat } from '@ai-sdk/react';", "export { DefaultChatTransport } from 'ai';"],
    packages: ['@ai-sdk/react', 'ai', 'zod'],
  },
  {
    what: 'chatscope MainContainer, ChatContainer, MessageList, Message, MessageInput (no markdown)',
    issue: '44.5 KB',
    exports: ["export { MainContainer, ChatContainer, MessageList, Message, MessageInput } from '@chatscope/chat-ui-kit-react';"],
    packages: ['@chatscope/chat-ui-kit-react'],
  },
  {
    what: 'LlamaIndex chat-ui ChatSection',
    issue: '1.09 MB',
    exports: ["export { ChatSection } from '@llamaindex/chat-ui';"],
    packages: ['@llamaindex/chat-ui'],
  },
  {
    what: 'markdown: react-markdown + remark-gfm',
    issue: '50.7 KB',
    exports: ["export { default as Markdown } from 'react-markdown';", "export { default as remarkGfm } from 'remark-gfm';"],
    packages: ['react-markdown', 'remark-gfm'],
  },
  {
    what: 'markdown: markdown-to-jsx',
    issue: '31.8 KB',
    exports: ["export { default as Markdown } from 'markdown-to-jsx';"],
    packages: ['markdown-to-jsx'],
  },
  {
    what: 'markdown: marked + DOMPurify',
    issue: '27.4 KB',
    exports: ["export { marked } from 'marked';", "export { default as DOMPurify } from 'dompurify';"],
    packages: ['marked', 'dompurify'],
  },
  {
    what: 'markdown: micromark + GFM',
    issue: '21.5 KB',
    exports: ["export { micromark } from 'micromark';", "export { gfm, gfmHtml } from 'micromark-extension-gfm';"],
    packages: ['micromark', 'micromark-extension-gfm'],
  },
];

/** The AI SDK composition again with zod left out, to give zod's share of it. */
const AI_SDK = 'AI SDK useChat + DefaultChatTransport';
const AI_SDK_WITHOUT_ZOD = `${AI_SDK}, zod external`;

/** A check in size-limit's format: the same shape as `.size-limit.json`'s, which bundle-size.bench.ts runs. */
interface Check {
  name: string;
  path: string;
  import: '*';
  gzip: true;
  ignore: string[];
}

const kB = (bytes: number) => bytes / 1000;

function versionOf(name: string): string {
  const manifest = JSON.parse(readFileSync(resolve(anchorModules, name, 'package.json'), 'utf8')) as { version: string };
  return `${name} ${manifest.version}`;
}

/**
 * Writes one entry per composition that re-exports exactly what it names, and a check that imports `*` from it: the
 * way `.size-limit.json` measures the kit (esbuild, minified, gzip level 9), with React and React DOM left out as the
 * kit's peers are.
 */
function check(name: string, exports: readonly string[], ignore: string[] = []): Check {
  const path = resolve(work, `${name.replace(/\W+/g, '-').toLowerCase()}.js`);
  writeFileSync(path, `${exports.join('\n')}\n`);
  return { name, path, import: '*', gzip: true, ignore: ['react', 'react-dom', ...ignore] };
}

/** Runs size-limit (the binary and plugins `npm run size` uses) on `checks`; bytes by check name. */
function sizeLimit(checks: Check[]): Map<string, number> {
  const config = resolve(work, 'size-limit.json');
  writeFileSync(config, JSON.stringify(checks));
  // cwd is the repository, whose package.json names the size-limit plugins to load.
  const run = spawnSync(process.execPath, [resolve(root, 'node_modules/size-limit/bin.js'), '--json', '--config', config], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  const outcomes = JSON.parse(run.stdout) as Array<{ name: string; size: number }>;
  return new Map(outcomes.map((outcome) => [outcome.name, outcome.size]));
}

it('records the anchors of issue #12 built the way the kit is measured', () => {
  const notInstalled = installAnchors();
  if (notInstalled !== undefined) {
    for (const { what, issue } of compositions) {
      record({ section: SECTION, name: `anchor (issue): ${what}`, value: null, unit: '', note: `${notInstalled}; issue: ${issue}` });
    }
    return;
  }
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const aiSdk = compositions.find((composition) => composition.what === AI_SDK)!;
  const sizes = sizeLimit([
    ...compositions.map(({ what, exports }) => check(what, exports)),
    check(AI_SDK_WITHOUT_ZOD, aiSdk.exports, ['zod']),
  ]);
  const size = (name: string) => {
    const bytes = sizes.get(name);
    expect(bytes, name).toBeGreaterThan(0);
    return bytes!;
  };

  for (const { what, issue, packages } of compositions) {
    let note = `issue: ${issue}; ${packages.map(versionOf).join(', ')}`;
    if (what === AI_SDK) {
      const zod = size(AI_SDK) - size(AI_SDK_WITHOUT_ZOD);
      note += `; zod ${kB(zod).toFixed(1)} kB = ${((zod / size(AI_SDK)) * 100).toFixed(0)}% of it (measured with zod external)`;
    }
    record({ section: SECTION, name: `anchor (issue): ${what}`, value: kB(size(what)), unit: 'kB', note });
  }
  rmSync(work, { recursive: true, force: true });
});
