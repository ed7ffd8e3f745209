import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from 'colloquy/core';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const read = (headers: Record<string, string>) => parseRetryAfter(new Headers(headers), NOW);

describe('parseRetryAfter', () => {
  it.each([
    ['retry-after-ms alone', { 'retry-after-ms': '1500' }, 1500],
    ['retry-after-ms over Retry-After', { 'retry-after-ms': '200', 'retry-after': '60' }, 200],
    ['fractional retry-after-ms, rounded up', { 'retry-after-ms': '12.2' }, 13],
    ['Retry-After in seconds', { 'retry-after': '120' }, 120_000],
    ['Retry-After with spaces', { 'retry-after': '  7 ' }, 7000],
    ['Retry-After of 0', { 'retry-after': '0' }, 0],
    ['fractional seconds', { 'retry-after': '1.5' }, 1500],
    ['an HTTP date in the future', { 'retry-after': 'Sat, 01 Mar 2025 12:01:00 GMT' }, 60_000],
    ['an HTTP date in the past', { 'retry-after': 'Sat, 01 Mar 2025 11:00:00 GMT' }, 0],
    ['seconds over 24 hours, clamped', { 'retry-after': String(3 * 24 * 60 * 60) }, MAX_RETRY_AFTER_MS],
    ['retry-after-ms over 24 hours, clamped', { 'retry-after-ms': '999999999999' }, MAX_RETRY_AFTER_MS],
    ['a date a year away, clamped', { 'retry-after': 'Sun, 01 Mar 2026 12:00:00 GMT' }, MAX_RETRY_AFTER_MS],
    ['a garbage retry-after-ms, falling back to Retry-After', { 'retry-after-ms': 'soon', 'retry-after': '3' }, 3000],
    ['a negative retry-after-ms, falling back to Retry-After', { 'retry-after-ms': '-5', 'retry-after': '4' }, 4000],
  ])('reads %s', (_name, headers, expected) => {
    expect(read(headers)).toBe(expected);
  });

  it.each([
    ['no header', {}],
    ['a negative number', { 'retry-after': '-10' }],
    ['garbage', { 'retry-after': 'later, please' }],
    ['a number with a unit', { 'retry-after': '10s' }],
    ['an empty value', { 'retry-after': '' }],
    ['a negative retry-after-ms alone', { 'retry-after-ms': '-1' }],
    ['a hexadecimal number', { 'retry-after-ms': '0x10' }],
  ])('ignores %s', (_name, headers) => {
    expect(read(headers)).toBeUndefined();
  });

  it('uses the clock by default for HTTP dates', () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const ms = parseRetryAfter(new Headers({ 'retry-after': inTenSeconds }));
    expect(ms).toBeGreaterThan(8_000);
    expect(ms).toBeLessThanOrEqual(10_000);
  });
});
