import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSseStream, SSE_DONE, sseComment, sseData, sseEvent, type SseStep } from 'colloquy/mocks';

const decoder = new TextDecoder();

describe('SSE frames', () => {
  it('encodes data, named events, comments and the sentinel', () => {
    expect(sseData({ content: 'a\nb' })).toBe('data: {"content":"a\\nb"}\n\n');
    expect(sseEvent('error', { code: 'timeout' })).toBe('event: error\ndata: {"code":"timeout"}\n\n');
    expect(sseComment('heartbeat')).toBe(': heartbeat\n\n');
    expect(sseComment('two\nlines')).toBe(': two\n: lines\n\n');
    expect(SSE_DONE).toBe('data: [DONE]\n\n');
  });

  it('refuses an event name that would break the frame', () => {
    expect(() => sseEvent('error\ndata: x', {})).toThrow(TypeError);
  });
});

describe('createSseStream', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const steps: SseStep[] = [
    { afterMs: 1000, frame: sseData({ content: 'a' }) },
    { afterMs: 1000, frame: sseData({ content: 'b' }) },
    { afterMs: 0, frame: SSE_DONE },
  ];

  it('plays each frame after its delay, then closes', async () => {
    vi.useFakeTimers();
    const reader = createSseStream(steps).getReader();
    const first = reader.read();
    await vi.advanceTimersByTimeAsync(999);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(decoder.decode((await first).value)).toBe(sseData({ content: 'a' }));
    const second = reader.read();
    await vi.advanceTimersByTimeAsync(1000);
    expect(decoder.decode((await second).value)).toBe(sseData({ content: 'b' }));
    expect(decoder.decode((await reader.read()).value)).toBe(SSE_DONE);
    expect((await reader.read()).done).toBe(true);
  });

  it('stops on abort: clears its timer and errors with the abort reason', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const reader = createSseStream(steps, controller).getReader();
    const pending = reader.read();
    await vi.advanceTimersByTimeAsync(500);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('errors at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createSseStream(steps, controller).getReader().read()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('clears its timer when the reader cancels', async () => {
    vi.useFakeTimers();
    const reader = createSseStream(steps).getReader();
    void reader.read();
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(1);
    await reader.cancel();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('delivers every frame written before an error step, then the error', async () => {
    const cut = new TypeError('terminated');
    const reader = createSseStream([
      { afterMs: 0, frame: sseData({ content: 'a' }) },
      { afterMs: 0, frame: sseData({ content: 'b' }) },
      { afterMs: 0, error: cut },
    ]).getReader();
    expect(decoder.decode((await reader.read()).value)).toBe(sseData({ content: 'a' }));
    expect(decoder.decode((await reader.read()).value)).toBe(sseData({ content: 'b' }));
    await expect(reader.read()).rejects.toBe(cut);
  });
});
