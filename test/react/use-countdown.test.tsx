import { act, render, renderHook, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useCountdown } from 'colloquy/react';

const T0 = Date.UTC(2026, 0, 1);

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('useCountdown', () => {
  it('returns null and sets no timer without a target', () => {
    const { result } = renderHook(() => useCountdown(null));
    expect(result.current).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts whole seconds, rounded up, changing exactly at each second boundary, then stops at 0', () => {
    const { result } = renderHook(() => useCountdown(T0 + 2_500));
    expect(result.current).toBe(3);
    act(() => vi.advanceTimersByTime(499));
    expect(result.current).toBe(3);
    act(() => vi.advanceTimersByTime(1));
    expect(result.current).toBe(2);
    act(() => vi.advanceTimersByTime(1_000));
    expect(result.current).toBe(1);
    act(() => vi.advanceTimersByTime(999));
    expect(result.current).toBe(1);
    act(() => vi.advanceTimersByTime(1));
    expect(result.current).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('returns 0 for a moment already past', () => {
    const { result } = renderHook(() => useCountdown(T0 - 5_000));
    expect(result.current).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-renders once per second, not more', () => {
    let renders = 0;
    function Probe() {
      renders += 1;
      return <p>{useCountdown(T0 + 10_000)}</p>;
    }
    render(<Probe />);
    const first = renders;
    act(() => vi.advanceTimersByTime(500));
    expect(renders - first).toBe(0);
    for (let second = 0; second < 3; second += 1) act(() => vi.advanceTimersByTime(1_000));
    expect(screen.getByText('7')).toBeInTheDocument();
    expect(renders - first).toBe(3);
  });

  it('restarts when the target changes, and clears its timer on unmount', () => {
    const { result, rerender, unmount } = renderHook(({ until }) => useCountdown(until), { initialProps: { until: T0 + 5_000 } });
    expect(result.current).toBe(5);
    rerender({ until: T0 + 20_000 });
    expect(result.current).toBe(20);
    expect(vi.getTimerCount()).toBe(1);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reads an injected clock', () => {
    let now = 1_000_000;
    const clock = () => now;
    const { result } = renderHook(() => useCountdown(1_030_000, clock));
    expect(result.current).toBe(30);
    now = 1_010_000;
    act(() => vi.advanceTimersByTime(1_000));
    expect(result.current).toBe(20);
  });
});
