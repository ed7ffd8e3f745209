import { act, render, renderHook } from '@testing-library/react';
import { Profiler, StrictMode, type ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatProvider, createChatStore, createRateLimiter, messageText, useChat, type ChatStore } from 'colloquy';
import { createManualTransport, flush } from '../helpers/manual-transport.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('useChat', () => {
  it('creates its store once, stable across re-renders', () => {
    const transport = createManualTransport();
    const { result, rerender } = renderHook(() => useChat({ transport }));
    const first = result.current.store;
    rerender();
    expect(result.current.store).toBe(first);
  });

  it('keeps working after a StrictMode double mount', async () => {
    const transport = createManualTransport();
    const { result } = renderHook(() => useChat({ transport }), { wrapper: StrictMode });
    act(() => {
      result.current.submit('Hello');
    });
    expect(transport.calls).toHaveLength(1);
    expect(transport.calls[0]!.signal.aborted).toBe(false);
    await act(async () => {
      transport.calls[0]!.push({ type: 'delta', content: 'Hi' }, { type: 'done' });
      await flush();
    });
    expect(result.current.status).toBe('idle');
    expect(result.current.messages.map(messageText)).toEqual(['Hello', 'Hi']);
  });

  it('uses the transport and labels of the nearest ChatProvider', () => {
    const transport = createManualTransport();
    const wrapper = ({ children }: { children: ReactNode }) => <ChatProvider transport={transport}>{children}</ChatProvider>;
    const { result } = renderHook(() => useChat(), { wrapper });
    act(() => {
      result.current.submit('via provider');
    });
    expect(transport.calls).toHaveLength(1);
  });

  it('throws a TypeError that names the fix when there is no transport', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => renderHook(() => useChat())).toThrow(/needs a transport/);
  });

  it('clears the input only when the send is accepted, and keeps the refusal', () => {
    const transport = createManualTransport();
    const { result } = renderHook(() => useChat({ transport, maxInputLength: 5 }));
    act(() => result.current.setInput('too long'));
    act(() => {
      result.current.submit();
    });
    expect(result.current.input).toBe('too long');
    expect(result.current.refusal?.code).toBe('message_too_long');
    act(() => result.current.setInput('ok'));
    expect(result.current.refusal).toBeNull();
    act(() => {
      result.current.submit();
    });
    expect(result.current.input).toBe('');
    expect(transport.calls).toHaveLength(1);
  });

  it('aborts the request in flight on unmount and never updates afterwards', async () => {
    const transport = createManualTransport();
    const errors = vi.spyOn(console, 'error');
    const { result, unmount } = renderHook(() => useChat({ transport }));
    act(() => {
      result.current.submit('Q');
    });
    unmount();
    expect(transport.calls[0]!.signal.aborted).toBe(true);
    transport.calls[0]!.push({ type: 'delta', content: 'late' });
    await flush();
    expect(errors).not.toHaveBeenCalled();
  });

  it('does not stop a store it does not own on unmount', () => {
    const transport = createManualTransport();
    const store: ChatStore = createChatStore({ transport });
    const { unmount } = renderHook(() => useChat(store));
    store.send('Q');
    unmount();
    expect(transport.calls[0]!.signal.aborted).toBe(false);
  });

  it('reports the rate limiter state', () => {
    vi.useFakeTimers({ now: 0 });
    const transport = createManualTransport();
    const rateLimit = createRateLimiter({ maxRequests: 1, intervalMs: 10_000 });
    const { result } = renderHook(() => useChat({ transport, rateLimit }));
    act(() => {
      result.current.submit('one');
    });
    expect(result.current.rateLimit).toEqual({ limit: 1, remaining: 0, availableAt: 10_000 });
    act(() => {
      vi.advanceTimersByTime(10_000);
    });
    expect(result.current.rateLimit.availableAt).toBeNull();
  });

  it('commits at most once per animation frame while tokens stream, and never loses the last token', async () => {
    vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame', 'setTimeout', 'clearTimeout', 'performance'] });
    const transport = createManualTransport();
    let commits = 0;
    let seen = '';
    function Probe() {
      const chat = useChat({ transport });
      seen = chat.messages[1] ? messageText(chat.messages[1]) : '';
      (globalThis as { chat?: typeof chat }).chat = chat;
      return null;
    }
    render(
      <Profiler id="chat" onRender={() => commits++}>
        <Probe />
      </Profiler>,
    );
    const chat = () => (globalThis as unknown as { chat: ReturnType<typeof useChat> }).chat;
    act(() => {
      chat().submit('stream please');
    });
    const before = commits;
    const tokens = 2_000;
    const frames = 20;
    await act(async () => {
      for (let frame = 0; frame < frames; frame++) {
        for (let i = 0; i < tokens / frames; i++) transport.calls[0]!.push({ type: 'delta', content: 'x' });
        await flush();
        await vi.advanceTimersToNextFrame();
      }
    });
    const streamingCommits = commits - before;
    expect(streamingCommits).toBeGreaterThan(0);
    expect(streamingCommits).toBeLessThanOrEqual(frames);
    expect(seen).toHaveLength(tokens);
    await act(async () => {
      transport.calls[0]!.push({ type: 'delta', content: 'END' }, { type: 'done' });
      await flush();
    });
    // The status change (finish) renders at once, carrying the last token with it.
    expect(seen.endsWith('END')).toBe(true);
    expect(chat().status).toBe('idle');
  });
});
