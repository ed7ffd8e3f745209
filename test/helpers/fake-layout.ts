import { act } from '@testing-library/react';

/** A box as a `ResizeObserver` reports it. */
export interface FakeSize {
  width: number;
  height: number;
}

/** The scroll state of an element under {@link installFakeLayout}. */
export interface FakeScrollState {
  /** Every value written to `scrollTop` (directly, or through `scrollTo` / `scrollBy`), after clamping. */
  readonly writes: number[];
}

/** jsdom with just enough layout for code that measures: see {@link installFakeLayout}. */
export interface FakeLayout {
  /**
   * Gives `element` a scroll box: a fixed `clientHeight`, a `scrollHeight` computed on each read, a `scrollTop` the
   * browser way (clamped, and a change fires `scroll` at the next {@link FakeLayout.flush}), `scrollTo` and `scrollBy`.
   */
  scroller(element: HTMLElement, geometry: { clientHeight: number; scrollHeight: () => number }): FakeScrollState;
  /** Delivers pending `scroll` events, then resize observations, inside `act`, until nothing is left to deliver. */
  flush(): Promise<void>;
  /** Puts jsdom back as it was. */
  restore(): void;
}

/**
 * jsdom lays nothing out: no `ResizeObserver`, `offsetParent` always `null`, no element `scrollTo`. This installs a
 * deterministic stand-in. Sizes come from `sizeOf` (return `undefined` for elements that have none), observations
 * and scroll events are delivered only by `flush()`, the way a browser delivers them after a task, never inside one.
 */
export function installFakeLayout(sizeOf: (element: Element) => FakeSize | undefined): FakeLayout {
  const observers = new Set<FakeResizeObserver>();
  const pendingScrolls = new Set<HTMLElement>();

  class FakeResizeObserver {
    readonly reported = new Map<Element, string | undefined>();
    constructor(private readonly callback: ResizeObserverCallback) {
      observers.add(this);
    }
    observe(target: Element) {
      this.reported.set(target, undefined);
    }
    unobserve(target: Element) {
      this.reported.delete(target);
    }
    disconnect() {
      this.reported.clear();
      observers.delete(this);
    }
    /** Reports the observed elements whose size changed since the last report; false when none did. */
    deliver(): boolean {
      const entries: ResizeObserverEntry[] = [];
      for (const [target, last] of this.reported) {
        const size = target.isConnected ? sizeOf(target) : undefined;
        const key = size && `${size.width}x${size.height}`;
        if (!size || key === last) continue;
        this.reported.set(target, key);
        const contentRect = { x: 0, y: 0, top: 0, left: 0, right: size.width, bottom: size.height, ...size };
        entries.push({ target, contentRect } as unknown as ResizeObserverEntry);
      }
      if (entries.length > 0) this.callback(entries, this as unknown as ResizeObserver);
      return entries.length > 0;
    }
  }

  const offsetParent = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'offsetParent');
  const resizeObserver = Object.getOwnPropertyDescriptor(globalThis, 'ResizeObserver');
  Object.defineProperty(HTMLElement.prototype, 'offsetParent', {
    configurable: true,
    get(this: HTMLElement) {
      return this.parentElement;
    },
  });
  Object.defineProperty(globalThis, 'ResizeObserver', { configurable: true, writable: true, value: FakeResizeObserver });

  return {
    scroller(element, { clientHeight, scrollHeight }) {
      const state = { top: 0, writes: [] as number[] };
      const setTop = (value: number) => {
        const top = Math.max(0, Math.min(value, scrollHeight() - clientHeight));
        state.writes.push(top);
        if (top === state.top) return;
        state.top = top;
        pendingScrolls.add(element);
      };
      Object.defineProperties(element, {
        clientHeight: { configurable: true, get: () => clientHeight },
        scrollHeight: { configurable: true, get: () => Math.max(scrollHeight(), clientHeight) },
        scrollTop: { configurable: true, get: () => state.top, set: setTop },
        scrollTo: { configurable: true, value: (options: ScrollToOptions) => setTop(options.top ?? state.top) },
        scrollBy: { configurable: true, value: (options: ScrollToOptions) => setTop(state.top + (options.top ?? 0)) },
      });
      return state;
    },
    async flush() {
      for (let round = 0; round < 100; round++) {
        let delivered = false;
        await act(async () => {
          const scrolled = [...pendingScrolls];
          pendingScrolls.clear();
          for (const element of scrolled) element.dispatchEvent(new Event('scroll'));
          delivered = scrolled.length > 0;
          for (const observer of [...observers]) delivered = observer.deliver() || delivered;
        });
        if (!delivered && pendingScrolls.size === 0) return;
      }
      throw new Error('The fake layout never settled: something resizes or scrolls on every round.');
    },
    restore() {
      if (offsetParent) Object.defineProperty(HTMLElement.prototype, 'offsetParent', offsetParent);
      if (resizeObserver) Object.defineProperty(globalThis, 'ResizeObserver', resizeObserver);
      else delete (globalThis as { ResizeObserver?: unknown }).ResizeObserver;
      observers.clear();
      pendingScrolls.clear();
    },
  };
}
