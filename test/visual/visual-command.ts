import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import type { Frame } from 'playwright';
import type { BrowserCommand } from 'vitest/node';
import { type VisualRequest, type VisualResult, visualPaths, visualTolerance } from './visual-options.js';

const root = resolve(import.meta.dirname, '../..');

/** A failing story's files in the report folder, relative to the report's index.html. */
export interface VisualFailure extends VisualRequest {
  readonly status: 'mismatch' | 'missing';
  readonly diffPixels: number;
  readonly totalPixels: number;
  readonly baseline?: string;
  readonly actual: string;
  readonly diff?: string;
}

/** Each project's run appends one JSON line per failing story; the global teardown renders them. */
export const failuresFile = resolve(root, visualPaths.report, 'failures.jsonl');
/** Every story compared in the run, for the report's count and its list of baselines no story produced. */
export const seenFile = resolve(root, visualPaths.report, 'seen.jsonl');

function baselinePath(request: VisualRequest): string {
  return resolve(root, visualPaths.baselines, request.theme, `${request.storyId}.png`);
}

function write(path: string, data: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

/**
 * A screenshot of what the story test shows: the tester iframe as the element it is in the orchestrator page, so
 * the picture is exactly the story's viewport (portals and fixed drawers included) and never the runner's chrome.
 * Animations are finished, the caret hidden, one CSS pixel per image pixel.
 */
async function capture(frame: Frame): Promise<Buffer> {
  const element = await frame.frameElement();
  return element.screenshot({ animations: 'disabled', caret: 'hide', scale: 'css', timeout: 30_000 });
}

/**
 * Screenshots until two consecutive pictures agree (at most five), so a late layout shift, an image decode or a
 * font swap cannot turn into a flaky diff; a story that never settles is compared on its last picture.
 */
async function stableCapture(frame: Frame): Promise<Buffer> {
  let previous = await capture(frame);
  for (let attempt = 0; attempt < 4; attempt++) {
    await new Promise((settle) => setTimeout(settle, 80));
    const next = await capture(frame);
    if (next.equals(previous)) return next;
    previous = next;
  }
  return previous;
}

function compare(baseline: PNG, actual: PNG): { diffPixels: number; diff: PNG } {
  const { width, height } = actual;
  const diff = new PNG({ width, height });
  if (baseline.width !== width || baseline.height !== height) {
    // A size change is a difference everywhere: paint the whole diff red rather than compare shifted pixels.
    for (let i = 0; i < diff.data.length; i += 4) diff.data.set([255, 0, 0, 255], i);
    return { diffPixels: width * height, diff };
  }
  const diffPixels = pixelmatch(baseline.data, actual.data, diff.data, width, height, {
    threshold: visualTolerance.pixelThreshold,
  });
  return { diffPixels, diff };
}

function reportFile(request: VisualRequest, kind: 'baseline' | 'actual' | 'diff'): string {
  return `${request.theme}/${request.storyId}.${kind}.png`;
}

function recordFailure(failure: VisualFailure, files: Partial<Record<'baseline' | 'actual' | 'diff', Buffer>>): void {
  for (const [kind, data] of Object.entries(files)) {
    write(resolve(root, visualPaths.report, reportFile(failure, kind as 'baseline' | 'actual' | 'diff')), data);
  }
  mkdirSync(dirname(failuresFile), { recursive: true });
  appendFileSync(failuresFile, `${JSON.stringify(failure)}\n`);
}

/**
 * `commands.visualSnapshot(request)`: compares the current story with its committed baseline. With `vitest -u`
 * (`npm run test:visual:update`) a missing or different baseline is (re)written, and a matching one is left
 * untouched so a baseline update only shows the stories that changed.
 */
export const visualSnapshot: BrowserCommand<[request: VisualRequest]> = async (context, request): Promise<VisualResult> => {
  const frame = await (context as unknown as { frame(): Promise<Frame> }).frame();
  const actualBytes = await stableCapture(frame);
  const actual = PNG.sync.read(actualBytes);
  const totalPixels = actual.width * actual.height;
  const update = context.project.config.snapshotOptions.updateSnapshot === 'all';
  const path = baselinePath(request);
  mkdirSync(dirname(seenFile), { recursive: true });
  appendFileSync(seenFile, `${JSON.stringify({ theme: request.theme, storyId: request.storyId })}\n`);

  if (!existsSync(path)) {
    if (update) {
      write(path, actualBytes);
      return { status: 'created', diffPixels: 0, totalPixels, message: `wrote ${path}` };
    }
    recordFailure(
      { ...request, status: 'missing', diffPixels: totalPixels, totalPixels, actual: reportFile(request, 'actual') },
      { actual: actualBytes },
    );
    return {
      status: 'missing',
      diffPixels: totalPixels,
      totalPixels,
      message: `No baseline for ${request.title} (${request.theme}). Run \`npm run test:visual:update\` and commit ${visualPaths.baselines}/${request.theme}/${request.storyId}.png.`,
    };
  }

  const baselineBytes = readFileSync(path);
  const { diffPixels, diff } = compare(PNG.sync.read(baselineBytes), actual);
  if (diffPixels / totalPixels <= visualTolerance.maxDiffRatio) {
    return { status: 'match', diffPixels, totalPixels, message: 'matches its baseline' };
  }
  if (update) {
    write(path, actualBytes);
    return { status: 'updated', diffPixels, totalPixels, message: `updated ${path}` };
  }
  recordFailure(
    {
      ...request,
      status: 'mismatch',
      diffPixels,
      totalPixels,
      baseline: reportFile(request, 'baseline'),
      actual: reportFile(request, 'actual'),
      diff: reportFile(request, 'diff'),
    },
    { baseline: baselineBytes, actual: actualBytes, diff: PNG.sync.write(diff) },
  );
  return {
    status: 'mismatch',
    diffPixels,
    totalPixels,
    message: `${request.title} (${request.theme}) differs from its baseline in ${diffPixels} of ${totalPixels} pixels (${((diffPixels / totalPixels) * 100).toFixed(3)}%, allowed ${(visualTolerance.maxDiffRatio * 100).toFixed(3)}%). See ${visualPaths.report}/index.html; if the change is intended, run \`npm run test:visual:update\` and commit the new baseline.`,
  };
};
