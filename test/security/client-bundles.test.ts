import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// What ships to browsers must never hold the API key, nor code that reads it, nor load anything from another origin by
// itself. `npm test` builds dist/ (check:package) and storybook-static/ (build-storybook) before vitest runs.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = join(root, 'dist');
const storybook = join(root, 'storybook-static');

/**
 * A key, an environment read of it, or its name. The `sk-` pattern needs a non-word character before it: Tailwind's
 * class names (`mask-image-linear-from-color`) contain `sk-` followed by 20 word characters.
 */
const SECRET_PATTERNS: readonly RegExp[] = [/OPENAI_API_KEY/g, /process\.env\.OPENAI/g, /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}/g];

/** Every match of {@link SECRET_PATTERNS} in `files`, as `file: match` (read as latin1, so binary files scan too). */
function findSecrets(files: readonly string[], base: string): string[] {
  const found: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'latin1');
    for (const pattern of SECRET_PATTERNS) {
      for (const match of text.matchAll(pattern)) found.push(`${relative(base, file)}: ${match[0]}`);
    }
  }
  return found;
}

/** Fails with the command to run when a build output is missing, instead of passing on nothing. */
function requireBuild(dir: string, command: string): void {
  if (!existsSync(dir) || readdirSync(dir).length === 0) {
    throw new Error(`${relative(root, dir)}/ is missing or empty: run \`${command}\` first (\`npm test\` runs it before vitest).`);
  }
}

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The files of `package.json` exports that a browser may load: every entry but `./server` (and package.json itself). */
function clientEntries(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | { import: string }> };
  return Object.entries(pkg.exports)
    .filter(([name]) => name !== './server' && name !== './package.json')
    .map(([, target]) => resolve(root, typeof target === 'string' ? target : target.import));
}

/**
 * `entries` and every file they import relatively (shared chunks), transitively, with their source maps: what a
 * bundler pulls into a page from these entries.
 */
function withImports(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (existsSync(`${file}.map`)) seen.add(`${file}.map`);
    if (!file.endsWith('.js')) continue;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+\.js)["']/g)) queue.push(resolve(dirname(file), match[1]!));
  }
  return [...seen];
}

describe('no API key, and no code that reads one, in what ships to browsers', () => {
  it('dist/: the client entries (index, core, react, mocks*, styles.css) and the chunks they import', () => {
    requireBuild(dist, 'npm run build');
    const files = withImports(clientEntries());
    const names = files.map((file) => relative(dist, file));
    // The closure is what it should be: the public client entries, at least one shared chunk, never the server entry.
    expect(names).toEqual(expect.arrayContaining(['index.js', 'core.js', 'react.js', 'mocks.js', 'mocks-node.js', 'mocks-browser.js', 'styles.css']));
    expect(names.some((name) => !/^(index|core|react|mocks(-node|-browser)?)\.js(\.map)?$|^styles\.css$/.test(name))).toBe(true);
    expect(names).not.toContain('server.js');
    for (const file of files) expect(existsSync(file), `${relative(root, file)} is imported but missing: rebuild dist/`).toBe(true);
    expect(findSecrets(files, dist)).toEqual([]);
  });

  it('storybook-static/: every file', () => {
    requireBuild(storybook, 'npm run build-storybook');
    const files = filesUnder(storybook);
    expect(files.some((file) => file.endsWith('iframe.html'))).toBe(true);
    expect(findSecrets(files, storybook)).toEqual([]);
  });

  describe('negative control: the scan finds what it looks for', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'colloquy-secrets-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it('finds a fake key, an environment read and the variable name, and ignores Tailwind class names', () => {
      const fakeKey = `sk-proj-${crypto.randomUUID().replaceAll('-', '')}`;
      const files = {
        key: `const client = new OpenAI({ apiKey: "${fakeKey}" });`,
        env: 'const apiKey = process.env.OPENAI_API_KEY;',
        name: 'import.meta.env["OPENAI_API_KEY"]',
        tailwind: '.mask-image-linear-from-color{--x:1}.task-list-item-checkbox-wrapper{}',
      };
      for (const [name, text] of Object.entries(files)) writeFileSync(join(scratch, `${name}.js`), text);
      const found = findSecrets(filesUnder(scratch), scratch);
      expect(found).toContain(`key.js: ${fakeKey}`);
      expect(found).toContain('env.js: process.env.OPENAI');
      expect(found).toContain('name.js: OPENAI_API_KEY');
      expect(found.filter((entry) => entry.startsWith('tailwind.js'))).toEqual([]);
    });

    it('follows an entry into the chunk it imports', () => {
      writeFileSync(join(scratch, 'entry.js'), 'import { a } from "./chunk-x1.js";\nexport const b = () => import("./lazy-x2.js");');
      writeFileSync(join(scratch, 'chunk-x1.js'), 'export const a = 1;');
      writeFileSync(join(scratch, 'lazy-x2.js'), 'export const key = process.env.OPENAI_API_KEY;');
      const files = withImports([join(scratch, 'entry.js')]);
      expect(files.map((file) => relative(scratch, file)).sort()).toEqual(['chunk-x1.js', 'entry.js', 'lazy-x2.js']);
      expect(findSecrets(files, scratch)).toEqual(['lazy-x2.js: OPENAI_API_KEY', 'lazy-x2.js: process.env.OPENAI']);
    });
  });
});

describe('nothing in the client bundles loads from another origin by itself', () => {
  /** A remote `url(…)` or `@import` in CSS: fonts or images fetched from a CDN as soon as the stylesheet applies. */
  const REMOTE_CSS = /@import\b|url\(\s*["']?\s*(?:https?:)?\/\//gi;

  it('styles.css imports nothing and loads no remote font or image', () => {
    requireBuild(dist, 'npm run build');
    expect(readFileSync(join(dist, 'styles.css'), 'utf8').match(REMOTE_CSS) ?? []).toEqual([]);
    // Negative control: the pattern sees the usual ways a stylesheet reaches a CDN.
    const remote = '@import url("https://fonts.example/x.css");.a{background:url(//cdn.example/x.png)}.b{src:url( "https://cdn.example/f.woff2")}';
    expect(remote.match(REMOTE_CSS)).toHaveLength(4);
  });

  it('index, core and react never name the OpenAI API: the browser talks to the app’s server only', () => {
    requireBuild(dist, 'npm run build');
    const files = withImports(['index.js', 'core.js', 'react.js'].map((name) => join(dist, name))).filter((file) => file.endsWith('.js'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expect(readFileSync(file, 'utf8'), relative(dist, file)).not.toMatch(/api\.openai\.com/);
  });
});
