/**
 * The one place the visual test's tolerances live; README "Visual review" quotes them.
 *
 * - `pixelThreshold` is pixelmatch's per-pixel colour distance (0..1, YIQ; compared squared against 35,215 x t^2).
 *   0.02 lets through a brightness change of about 5/255 and nothing more. pixelmatch's default, 0.1, is too loose
 *   for a design system: it let the user bubble go from indigo-700 to indigo-600 (#4338ca -> #4f46e5) unnoticed.
 *   Anti-aliased pixels are detected and ignored by pixelmatch itself.
 * - `maxDiffRatio`: a story fails when more than this share of its pixels differ (0.0001 = 1 pixel in 10,000,
 *   about 100 pixels of a 1280x800 screenshot). Two runs on the same machine differ by 0 pixels; see README.
 */
export const visualTolerance = { pixelThreshold: 0.02, maxDiffRatio: 0.0001 } as const;

/** Where baselines (committed) and the run's report (ignored by git) live, relative to the repository root. */
export const visualPaths = {
  baselines: 'test/visual/__screenshots__',
  report: 'test-results/visual',
} as const;

/** What the browser asks the Node side to compare: one story in one theme. */
export interface VisualRequest {
  /** Storybook story id, e.g. `components-chat--default`. */
  readonly storyId: string;
  /** Human title for the report, e.g. `Components/Chat › Default`. */
  readonly title: string;
  /** The project's theme, a folder of its own under the baselines. */
  readonly theme: 'light' | 'dark';
}

/** The outcome of one comparison. `mismatch` and `missing` fail the story's test. */
export interface VisualResult {
  readonly status: 'match' | 'created' | 'updated' | 'mismatch' | 'missing';
  readonly diffPixels: number;
  readonly totalPixels: number;
  readonly message: string;
}
