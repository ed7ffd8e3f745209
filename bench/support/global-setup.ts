import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { type BenchFigure, resultsFile } from './results.js';

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `Node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM`;
}

function format(value: number | null): string {
  if (value === null) return 'not measured';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function table(figures: readonly BenchFigure[]): string {
  const rows = figures.map((f) => [
    f.section,
    f.name,
    `${format(f.value)} ${f.unit}`.trim(),
    f.target ?? '',
    f.ok === undefined ? '' : f.ok ? 'met' : 'NOT MET',
    f.note ?? '',
  ]);
  const header = ['Section', 'Figure', 'Value', 'Target', 'Status', 'Note'];
  const escape = (cell: string): string => cell.replaceAll('|', '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

/** Clears the previous run's figures, and at the end prints the table and writes bench/results.md. */
export default function setup(): () => void {
  rmSync(resultsFile, { force: true });
  const started = Date.now();
  return () => {
    if (!existsSync(resultsFile)) return;
    const figures = readFileSync(resultsFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as BenchFigure)
      .sort((a, b) => a.section.localeCompare(b.section, 'en', { numeric: true }));
    const body = table(figures);
    console.log(`\n${body}\n`);
    const markdown = [
      '# Benchmark results',
      '',
      'Written by `npm run bench` (do not edit by hand). Ratios compare two paths measured in the same run;',
      'counts and bytes are absolute. See bench/README.md for what each figure measures.',
      '',
      `Machine: ${machine()}.`,
      `Run: ${new Date(started).toISOString().slice(0, 10)}, ${((Date.now() - started) / 1000).toFixed(0)} s.`,
      '',
      body,
      '',
    ].join('\n');
    writeFileSync(resolve(import.meta.dirname, '../results.md'), markdown);
  };
}
