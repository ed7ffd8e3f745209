import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { ChatProvider, defaultLabels, useLabels, type ChatLabels, type ChatProviderProps } from 'colloquy';

/** Renders a component that records every `useLabels()` result, so a test can compare them across renders. */
function renderLabels(tree: (probe: ReactNode) => ReactNode) {
  const seen: ChatLabels[] = [];
  function Probe() {
    seen.push(useLabels());
    return null;
  }
  const result = render(tree(<Probe />));
  return { seen, rerender: (next: (probe: ReactNode) => ReactNode) => result.rerender(next(<Probe />)) };
}

describe('useLabels', () => {
  it('speaks the English defaults without a provider', () => {
    const { seen } = renderLabels((probe) => probe);
    expect(seen.at(-1)).toBe(defaultLabels);
  });

  it('merges a provider’s overrides over the defaults, nested providers over their parent', () => {
    const { seen } = renderLabels((probe) => (
      <ChatProvider labels={{ send: 'Envoyer', stop: 'Arrêter' }}>
        <ChatProvider labels={{ stop: 'Stopper' }}>{probe}</ChatProvider>
      </ChatProvider>
    ));
    const labels = seen.at(-1)!;
    expect(labels.send).toBe('Envoyer');
    expect(labels.stop).toBe('Stopper');
    expect(labels.retry).toBe(defaultLabels.retry);
    expect(labels.errorTitles).toBe(defaultLabels.errorTitles);
    expect(labels.usage(1200)).toBe(defaultLabels.usage(1200));
    // The defaults are shared by every app on the page: a merge must never write into them.
    expect(defaultLabels.send).toBe('Send');
  });

  it('returns the same object across re-renders while the overrides are equal, a new one when they change', () => {
    // Inline props, as an app writes them: a new labels object (and config) on every render.
    const tree = (props: Omit<ChatProviderProps, 'children'>) => (probe: ReactNode) => <ChatProvider {...props}>{probe}</ChatProvider>;
    const { seen, rerender } = renderLabels(tree({ labels: { send: 'Envoyer' } }));
    const first = seen.at(-1)!;
    const rendersBefore = seen.length;

    rerender(tree({ labels: { send: 'Envoyer' } }));
    rerender(tree({ labels: { send: 'Envoyer' }, theme: 'dark' }));
    expect(seen.length).toBeGreaterThan(rendersBefore);
    expect(new Set(seen.slice(rendersBefore - 1))).toEqual(new Set([first]));

    rerender(tree({ labels: { send: 'Senden' }, theme: 'dark' }));
    expect(seen.at(-1)).not.toBe(first);
    expect(seen.at(-1)!.send).toBe('Senden');
    expect(seen.at(-1)!.stop).toBe(defaultLabels.stop);
  });

  it('gives every component under one provider the same object', () => {
    const { seen } = renderLabels((probe) => (
      <ChatProvider labels={{ send: 'Envoyer' }}>
        {probe}
        {probe}
      </ChatProvider>
    ));
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
  });
});
