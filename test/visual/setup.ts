/**
 * Browser-side half of the visual and accessibility review, loaded into every story test (both theme projects).
 * After a story has rendered, run its play function and passed axe (Storybook's own lifecycle), this hook checks
 * that any opt-out carries a written reason, then asks the Node side to screenshot and compare it.
 */
import { afterEach, inject } from 'vitest';
import { commands } from 'vitest/browser';
import type { VisualRequest, VisualResult } from './visual-options.js';

declare module 'vitest/browser' {
  interface BrowserCommands {
    visualSnapshot: (request: VisualRequest) => Promise<VisualResult>;
  }
}

declare module 'vitest' {
  interface ProvidedContext {
    /** The theme every story of this project renders in (its `initialGlobals.theme`). */
    colloquyTheme: 'light' | 'dark';
  }
}

/** What a story may say about the review in its `parameters`. */
interface ReviewParameters {
  readonly theme?: unknown;
  readonly visual?: { readonly disable?: boolean; readonly reason?: string };
  readonly a11y?: {
    readonly test?: string;
    readonly config?: { readonly rules?: ReadonlyArray<{ readonly id: string; readonly enabled?: boolean }> };
    /** Why each disabled rule (by id) or a non-'error' test mode is acceptable, e.g. `{ 'color-contrast': '…' }`. */
    readonly reasons?: Readonly<Record<string, string>>;
  };
}

interface StoryLike {
  readonly id: string;
  readonly parameters: ReviewParameters;
}

function hasReason(reason: unknown): boolean {
  return typeof reason === 'string' && reason.trim().length >= 10;
}

/** A story may switch off an axe rule, axe itself or its screenshot only with a written reason next to it. */
function assertOptOutsExplained(story: StoryLike, title: string): void {
  const { a11y, visual } = story.parameters;
  const reasons = a11y?.reasons ?? {};
  for (const rule of a11y?.config?.rules ?? []) {
    if (rule.enabled === false && !hasReason(reasons[rule.id])) {
      throw new Error(`${title} disables axe rule "${rule.id}" without parameters.a11y.reasons["${rule.id}"].`);
    }
  }
  if (a11y?.test !== undefined && a11y.test !== 'error' && !hasReason(reasons['test'])) {
    throw new Error(`${title} sets a11y.test to "${a11y.test}" without parameters.a11y.reasons.test.`);
  }
  if (visual?.disable === true && !hasReason(visual.reason)) {
    throw new Error(`${title} disables its screenshot without parameters.visual.reason.`);
  }
}

/** Two frames, so React's last commit and the browser's layout and paint have happened before the screenshot. */
async function nextPaint(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((painted) => requestAnimationFrame(() => painted(undefined)));
}

afterEach(async (context) => {
  const story = (context as unknown as { story?: StoryLike }).story;
  if (story === undefined) return;
  // The plugin names each test after its story.
  const title = `${context.task.file.name} › ${context.task.name}`;
  assertOptOutsExplained(story, title);
  if (story.parameters.visual?.disable === true) return;
  const theme = inject('colloquyTheme');
  // A story pinned to one theme looks the same in both projects: the project of that theme takes its picture.
  const pinned = story.parameters.theme;
  if ((pinned === 'light' || pinned === 'dark') && pinned !== theme) return;
  await document.fonts.ready;
  await nextPaint();
  const result = await commands.visualSnapshot({ storyId: story.id, title: `${title}`, theme });
  if (result.status === 'mismatch' || result.status === 'missing') throw new Error(result.message);
});
