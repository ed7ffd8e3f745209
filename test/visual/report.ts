import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { failuresFile, seenFile, type VisualFailure } from './visual-command.js';
import { visualPaths, visualTolerance } from './visual-options.js';

const root = resolve(import.meta.dirname, '../..');

function readLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Baselines no story produced in this run: a renamed or deleted story leaves one behind. */
function orphanBaselines(seen: ReadonlyArray<{ theme: string; storyId: string }>): string[] {
  const produced = new Set(seen.map((s) => `${s.theme}/${s.storyId}`));
  const orphans: string[] = [];
  for (const theme of ['light', 'dark']) {
    const folder = resolve(root, visualPaths.baselines, theme);
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder)) {
      const id = `${theme}/${basename(file, '.png')}`;
      if (file.endsWith('.png') && !produced.has(id)) orphans.push(`${visualPaths.baselines}/${id}.png`);
    }
  }
  return orphans;
}

function figure(label: string, src: string | undefined): string {
  return src === undefined
    ? `<figure><figcaption>${label}</figcaption><p class="none">none</p></figure>`
    : `<figure><figcaption>${label}</figcaption><a href="${src}"><img src="${src}" alt="${label}" loading="lazy"></a></figure>`;
}

/** The static report a reviewer opens: every failing story with baseline, actual and diff side by side. */
export function renderReport(failures: readonly VisualFailure[], compared: number, orphans: readonly string[]): string {
  const rows = failures
    .toSorted((a, b) => a.title.localeCompare(b.title) || a.theme.localeCompare(b.theme))
    .map((f) => {
      const share = ((f.diffPixels / f.totalPixels) * 100).toFixed(3);
      const what = f.status === 'missing' ? 'no baseline' : `${f.diffPixels.toLocaleString('en-US')} pixels differ (${share}%)`;
      return `<section id="${escapeHtml(`${f.theme}-${f.storyId}`)}"><h2>${escapeHtml(f.title)} <small>${f.theme} · ${escapeHtml(f.storyId)} · ${what}</small></h2><div class="row">${figure('Baseline', f.baseline)}${figure('Actual', f.actual)}${figure('Diff', f.diff)}</div></section>`;
    })
    .join('\n');
  const orphanList =
    orphans.length === 0
      ? ''
      : `<h2>Baselines no story produced</h2><p>Delete them if their story was renamed or removed (a filtered run lists every story it skipped here too).</p><ul>${orphans.map((o) => `<li><code>${escapeHtml(o)}</code></li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>colloquy visual review</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#111;background:#fafafa}
h1{font-size:1.4rem}h2{font-size:1rem;margin:2rem 0 .5rem}small{font-weight:400;color:#555}
.row{display:grid;grid-template-columns:repeat(3,1fr);gap:.75rem}
figure{margin:0;background:#fff;border:1px solid #ddd;padding:.5rem}
figure img{width:100%;height:auto;image-rendering:pixelated;background:repeating-conic-gradient(#eee 0 25%,#fff 0 50%) 0 0/16px 16px}
.none{color:#888}
</style></head><body>
<h1>Visual review: ${failures.length} of ${compared} screenshots differ</h1>
<p>Tolerance: pixelmatch threshold ${visualTolerance.pixelThreshold}, at most ${(visualTolerance.maxDiffRatio * 100).toFixed(3)}% of a story's pixels. Baselines: <code>${visualPaths.baselines}/&lt;theme&gt;/&lt;story id&gt;.png</code>. Intended change? Run <code>npm run test:visual:update</code> and commit the changed PNGs.</p>
${rows || '<p>Every story matches its baseline.</p>'}
${orphanList}
</body></html>
`;
}

/**
 * Global setup of the story projects: clears the previous report, and when the run ends writes
 * test-results/visual/index.html. Both theme projects share the files; whichever tears down last writes the
 * complete report (each teardown reads everything appended so far).
 */
export default function setup(): () => void {
  const reportDir = resolve(root, visualPaths.report);
  // Both projects' setups run in this process before any story: the first clears, the second sees its marker.
  const marker = resolve(reportDir, 'run.pid');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== String(process.pid)) {
    rmSync(reportDir, { recursive: true, force: true });
    mkdirSync(reportDir, { recursive: true });
    writeFileSync(marker, String(process.pid));
  }
  return () => {
    const failures = readLines<VisualFailure>(failuresFile);
    const seen = readLines<{ theme: string; storyId: string }>(seenFile);
    if (seen.length === 0) return;
    writeFileSync(resolve(reportDir, 'index.html'), renderReport(failures, seen.length, orphanBaselines(seen)));
    if (failures.length > 0) {
      console.error(`\nVisual review: ${failures.length} screenshot(s) differ. Open ${visualPaths.report}/index.html\n`);
    }
  };
}
