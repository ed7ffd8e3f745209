/** Longest wait colloquy honours; a server asking for more is clamped, not obeyed blindly. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Reads how long to wait from response headers, in milliseconds, or `undefined` when the headers say nothing usable.
 * `retry-after-ms` (OpenAI's) wins over `Retry-After`, which may hold seconds or an HTTP date. A date in the past
 * is 0; negative or unparsable values are ignored; anything over 24 hours is clamped to 24 hours.
 *
 * @param now - the current time in ms since the epoch, for HTTP dates. @defaultValue `Date.now()`
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = parseNonNegativeNumber(headers.get('retry-after-ms'));
  if (ms !== undefined) return clamp(ms);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  const seconds = parseNonNegativeNumber(value);
  if (seconds !== undefined) return clamp(seconds * 1000);
  if (/^-?\d/.test(value)) return undefined; // a negative or malformed number, not a date
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return clamp(Math.max(0, date - now));
}

function parseNonNegativeNumber(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

function clamp(ms: number): number {
  return Math.min(Math.ceil(ms), MAX_RETRY_AFTER_MS);
}
