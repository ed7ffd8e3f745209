import type { ChatErrorCode } from 'colloquy/core';

/** Which text of the answer the chat keeps after the fault. */
export type KeptAnswer =
  /** No answer message at all: the user's message carries the failure. */
  | 'none'
  /** Exactly the deltas that arrived complete before the fault, marked `error` (or `cancelled` for a stop). */
  | 'before-fault'
  /** The whole answer text, marked `error`: the fault came after the last delta. */
  | 'all';

/**
 * One row of the fault matrix in docs/reliability.md: what the chat must report for a fault. The tests look their
 * expectations up here, and `fault-table-doc.test.ts` checks the document says the same.
 */
export interface FaultRow {
  /** The fault, and the name of the test that proves the row. */
  fault: string;
  where: 'client' | 'server';
  /** The test file (under test/reliability/) and the `describe` block that hold the test. */
  file: string;
  group: string;
  /** The `ChatError` code the transport throws (or the store refuses with). */
  code: ChatErrorCode;
  /** False when the chat shows no error for it (the user stopped it): state `idle`, no `onError`. */
  reported: boolean;
  retryable: boolean;
  retryAfterMs?: number;
  /** The HTTP status on the error; absent when the failure came after the `200` or with no response at all. */
  status?: number;
  kept: KeptAnswer;
}

const CLIENT = 'client-faults.test.ts';
const UI = 'client-ui.test.tsx';
const SERVER = 'server-faults.test.ts';
const HISTORY = 'history-faults.test.ts';
const BEFORE = 'before the answer';
const DURING = 'during the stream';
const REFUSED = 'refused sends and unmount';
const UPSTREAM_BEFORE = 'upstream fails before the 200';
const UPSTREAM_DURING = 'upstream fails after the 200';
const STORED = 'what history stores';

/** Every row of the matrix, in the document's order. */
export const FAULT_TABLE = [
  { fault: 'connection refused', where: 'client', file: CLIENT, group: BEFORE, code: 'network', reported: true, retryable: true, kept: 'none' },
  { fault: 'no response (DNS failure, reset)', where: 'client', file: CLIENT, group: BEFORE, code: 'network', reported: true, retryable: true, kept: 'none' },
  { fault: '401 Unauthorized', where: 'client', file: CLIENT, group: BEFORE, code: 'unauthorized', reported: true, retryable: false, status: 401, kept: 'none' },
  { fault: '403 Forbidden', where: 'client', file: CLIENT, group: BEFORE, code: 'forbidden', reported: true, retryable: false, status: 403, kept: 'none' },
  { fault: '404 Not Found', where: 'client', file: CLIENT, group: BEFORE, code: 'not_found', reported: true, retryable: false, status: 404, kept: 'none' },
  { fault: '413 Payload Too Large', where: 'client', file: CLIENT, group: BEFORE, code: 'message_too_long', reported: true, retryable: false, status: 413, kept: 'none' },
  { fault: '429 with Retry-After in seconds', where: 'client', file: CLIENT, group: BEFORE, code: 'rate_limited', reported: true, retryable: true, retryAfterMs: 30_000, status: 429, kept: 'none' },
  { fault: '429 with Retry-After as an HTTP date', where: 'client', file: CLIENT, group: BEFORE, code: 'rate_limited', reported: true, retryable: true, retryAfterMs: 42_000, status: 429, kept: 'none' },
  { fault: '500 Internal Server Error', where: 'client', file: CLIENT, group: BEFORE, code: 'server_error', reported: true, retryable: true, status: 500, kept: 'none' },
  { fault: '502 Bad Gateway from a proxy', where: 'client', file: CLIENT, group: BEFORE, code: 'upstream_unavailable', reported: true, retryable: true, status: 502, kept: 'none' },
  { fault: '503 Service Unavailable', where: 'client', file: CLIENT, group: BEFORE, code: 'upstream_unavailable', reported: true, retryable: true, status: 503, kept: 'none' },
  { fault: '504 Gateway Timeout', where: 'client', file: CLIENT, group: BEFORE, code: 'timeout', reported: true, retryable: true, status: 504, kept: 'none' },
  { fault: '200 with a login page', where: 'client', file: CLIENT, group: BEFORE, code: 'bad_response', reported: true, retryable: true, status: 200, kept: 'none' },
  { fault: 'slow first byte past the timeout', where: 'client', file: CLIENT, group: BEFORE, code: 'timeout', reported: true, retryable: true, kept: 'none' },
  { fault: 'stop while connecting', where: 'client', file: CLIENT, group: BEFORE, code: 'aborted', reported: false, retryable: true, kept: 'none' },

  { fault: 'stream cut between tokens', where: 'client', file: CLIENT, group: DURING, code: 'network', reported: true, retryable: true, kept: 'before-fault' },
  { fault: 'stream cut mid-token', where: 'client', file: CLIENT, group: DURING, code: 'network', reported: true, retryable: true, kept: 'before-fault' },
  { fault: 'stream cut mid multi-byte character', where: 'client', file: CLIENT, group: DURING, code: 'network', reported: true, retryable: true, kept: 'before-fault' },
  { fault: 'stream ends without [DONE]', where: 'client', file: CLIENT, group: DURING, code: 'bad_response', reported: true, retryable: true, kept: 'before-fault' },
  { fault: 'malformed JSON chunk', where: 'client', file: CLIENT, group: DURING, code: 'bad_response', reported: true, retryable: true, kept: 'before-fault' },
  { fault: 'event: error mid-stream', where: 'client', file: CLIENT, group: DURING, code: 'upstream_unavailable', reported: true, retryable: true, kept: 'before-fault' },
  { fault: 'event: error rate_limited with retryAfterMs', where: 'client', file: CLIENT, group: DURING, code: 'rate_limited', reported: true, retryable: true, retryAfterMs: 1_500, kept: 'before-fault' },
  { fault: 'stall mid-stream past idleTimeoutMs', where: 'client', file: CLIENT, group: DURING, code: 'timeout', reported: true, retryable: true, kept: 'before-fault' },
  { fault: 'stop mid-stream', where: 'client', file: CLIENT, group: DURING, code: 'aborted', reported: false, retryable: true, kept: 'before-fault' },

  { fault: 'unmount mid-stream', where: 'client', file: UI, group: REFUSED, code: 'aborted', reported: false, retryable: true, kept: 'before-fault' },
  { fault: 'double send', where: 'client', file: UI, group: REFUSED, code: 'conflict', reported: false, retryable: false, kept: 'all' },
  { fault: 'send while rate-limited by a 429', where: 'client', file: UI, group: REFUSED, code: 'rate_limited', reported: false, retryable: true, retryAfterMs: 30_000, kept: 'none' },
  { fault: 'send past the client rate limit', where: 'client', file: UI, group: REFUSED, code: 'rate_limited', reported: false, retryable: true, retryAfterMs: 60_000, kept: 'all' },

  { fault: 'upstream connection refused', where: 'server', file: SERVER, group: UPSTREAM_BEFORE, code: 'upstream_unavailable', reported: true, retryable: true, status: 502, kept: 'none' },
  { fault: 'upstream 400', where: 'server', file: SERVER, group: UPSTREAM_BEFORE, code: 'invalid_input', reported: true, retryable: false, status: 400, kept: 'none' },
  { fault: 'upstream 401 (bad API key)', where: 'server', file: SERVER, group: UPSTREAM_BEFORE, code: 'upstream_unavailable', reported: true, retryable: true, status: 502, kept: 'none' },
  { fault: 'upstream 403', where: 'server', file: SERVER, group: UPSTREAM_BEFORE, code: 'upstream_unavailable', reported: true, retryable: true, status: 502, kept: 'none' },
  { fault: 'upstream 404 (unknown model)', where: 'server', file: SERVER, group: UPSTREAM_BEFORE, code: 'upstream_unavailable', reported: true, retryable: true, status: 502, kept: 'none' },
  { fault: 'upstream 429 with retry-after', where: 'server', file: SERVER, group: UPSTREAM_BEFORE, code: 'rate_limited', reported: true, retryable: true, retryAfterMs: 7_000, status: 429, kept: 'none' },
  { fault: 'upstream 429 insufficient_quota', where: 'server', file: SERVER, group: UPSTREAM_BEFORE, code: 'upstream_unavailable', reported: true, retryable: true, status: 503, kept: 'none' },
  { fault: 'upstream 500', where: 'server', file: SERVER, group: UPSTREAM_BEFORE, code: 'upstream_unavailable', reported: true, retryable: true, status: 502, kept: 'none' },
  { fault: 'upstream 503', where: 'server', file: SERVER, group: UPSTREAM_BEFORE, code: 'upstream_unavailable', reported: true, retryable: true, status: 503, kept: 'none' },
  { fault: 'upstream slow first byte past timeoutMs', where: 'server', file: SERVER, group: UPSTREAM_BEFORE, code: 'timeout', reported: true, retryable: true, status: 504, kept: 'none' },
  { fault: 'client stops while upstream connects', where: 'server', file: SERVER, group: UPSTREAM_BEFORE, code: 'aborted', reported: false, retryable: true, kept: 'none' },

  { fault: 'upstream cut after the first delta', where: 'server', file: SERVER, group: UPSTREAM_DURING, code: 'upstream_unavailable', reported: true, retryable: true, kept: 'before-fault' },
  { fault: 'upstream ends without a finish reason', where: 'server', file: SERVER, group: UPSTREAM_DURING, code: 'bad_response', reported: true, retryable: true, kept: 'all' },
  { fault: 'upstream silent past timeoutMs after the heartbeat', where: 'server', file: SERVER, group: UPSTREAM_DURING, code: 'timeout', reported: true, retryable: true, kept: 'none' },
  { fault: 'upstream stalls mid-stream past timeoutMs', where: 'server', file: SERVER, group: UPSTREAM_DURING, code: 'timeout', reported: true, retryable: true, kept: 'before-fault' },
  { fault: 'client stops mid-stream', where: 'server', file: SERVER, group: UPSTREAM_DURING, code: 'aborted', reported: false, retryable: true, kept: 'before-fault' },

  { fault: 'answer save fails after the stream succeeded', where: 'server', file: HISTORY, group: STORED, code: 'server_error', reported: true, retryable: true, kept: 'all' },
  { fault: 'upstream fails before the answer (history)', where: 'server', file: HISTORY, group: STORED, code: 'upstream_unavailable', reported: true, retryable: true, status: 502, kept: 'none' },
  { fault: 'upstream cut after the first delta (history)', where: 'server', file: HISTORY, group: STORED, code: 'upstream_unavailable', reported: true, retryable: true, kept: 'before-fault' },
  { fault: 'client stops mid-stream (history)', where: 'server', file: HISTORY, group: STORED, code: 'aborted', reported: false, retryable: true, kept: 'before-fault' },
] as const satisfies readonly FaultRow[];

/** The fault names of one `describe` block of one file, for a `Record` of scenarios the compiler checks is complete. */
export type FaultOf<File extends string, Group extends string> = Extract<(typeof FAULT_TABLE)[number], { file: File; group: Group }>['fault'];

/** The rows of one `describe` block of one test file, as `[fault, row]` for `it.each(...)('%s', ...)`. */
export function rowsOf<File extends string, Group extends string>(file: File, group: Group): Array<[FaultOf<File, Group>, FaultRow & { fault: FaultOf<File, Group> }]> {
  const rows = FAULT_TABLE.filter((row) => row.file === file && row.group === group) as Array<FaultRow & { fault: FaultOf<File, Group> }>;
  if (rows.length === 0) throw new Error(`No fault rows for ${file} › ${group}.`);
  return rows.map((row) => [row.fault, row]);
}
