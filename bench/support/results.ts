import { appendFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** One measured figure of `npm run bench`. */
export interface BenchFigure {
  /** Section of the results table, e.g. `1. SSE decode`. */
  readonly section: string;
  /** What was measured, e.g. `createSseTransport path / floor`. */
  readonly name: string;
  /** The figure, already in `unit`; `null` when it could not be measured here (the note says why). */
  readonly value: number | null;
  /** Unit as printed: `x`, `ms`, `KiB`, `commits`, `B`… */
  readonly unit: string;
  /** The target as written in the issue, e.g. `<= 1.3x`; omitted for anchors and context figures. */
  readonly target?: string;
  /** Whether the figure meets `target`; omitted when there is no target. */
  readonly ok?: boolean;
  /** Short free-text context (sample size, reference figure). */
  readonly note?: string;
}

/** Where bench files append figures (one JSON line each) for the global teardown to collect. */
export const resultsFile = resolve(import.meta.dirname, '../.results/figures.jsonl');

/** Records one figure; the run's teardown prints every figure as a table and writes bench/results.md. */
export function record(figure: BenchFigure): void {
  mkdirSync(resolve(resultsFile, '..'), { recursive: true });
  appendFileSync(resultsFile, `${JSON.stringify(figure)}\n`);
}

/** Runs a full garbage collection; `npm run bench` starts the workers with `--expose-gc`. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('Run benchmarks with `npm run bench` (node --expose-gc).');
  gc();
  gc();
}
