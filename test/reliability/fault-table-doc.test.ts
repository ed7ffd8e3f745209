import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAULT_TABLE, type FaultRow } from './fault-table.js';

const DOC = new URL('../../docs/reliability.md', import.meta.url);

/** The cells of the document's fault table (the first table whose header starts with "Fault"), header excluded. */
function documentedRows(markdown: string): string[][] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*Fault\s*\|/.test(line));
  if (header < 0) throw new Error('docs/reliability.md has no fault table.');
  const rows: string[][] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

const unquote = (cell: string): string => cell.replaceAll('`', '');
const none = (value: number | undefined): string => (value === undefined ? '—' : String(value));

/** The cells the document must show for `row`, in its column order; the prose columns are the tests' to prove. */
function expectedCells(row: FaultRow): Record<string, string> {
  return {
    fault: row.fault,
    where: row.where,
    code: row.code,
    reported: row.reported ? 'reported' : 'not reported',
    retryable: row.retryable ? 'yes' : 'no',
    retryAfterMs: none(row.retryAfterMs),
    status: none(row.status),
    test: `${row.file} › ${row.group}… › ${row.fault}`,
  };
}

function documentedCells(cells: string[]): Record<string, string> {
  const [fault = '', where = '', code = '', retryable = '', retryAfterMs = '', status = '', , , test = ''] = cells;
  const [file = '', group = '', ...name] = unquote(test).split(' › ');
  return {
    fault,
    where,
    code: unquote(code).split(' ')[0] ?? '',
    // A parenthesis says the chat shows no error state for it: "(not shown)" for a stop, "(refusal)" for a refused send.
    reported: code.includes('(') ? 'not reported' : 'reported',
    retryable,
    retryAfterMs,
    status,
    // The describe's title may add the transports it runs on: "before the answer (sse, json transport)".
    test: `${file} › ${group.replace(/ \(.*\)$/, '')}… › ${name.join(' › ')}`,
  };
}

describe('docs/reliability.md', () => {
  it('documents every row of the fault matrix, in order, exactly as the tests assert it', () => {
    const documented = documentedRows(readFileSync(DOC, 'utf8'));
    expect(documented.map(documentedCells)).toEqual(FAULT_TABLE.map(expectedCells));
  });
});
