import { useEffect, useSyncExternalStore } from 'react';
import type { lexMarkdown } from './markdown-lexer.js';

/** The markdown lexer, available once its chunk has loaded. */
export type MarkdownLexer = typeof lexMarkdown;

// The lexer (marked and its bounds, 16.5 kB min+gzip) is a separate chunk that every app bundler splits off:
// nothing loads when `colloquy` is imported, only when a chat or an answer mounts (or the app preloads it).
let lexer: MarkdownLexer | null = null;
let loading: Promise<boolean> | null = null;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const getSnapshot = () => lexer;
// A server renders the plain text, and hydration starts from it: the markup always matches.
const getServerSnapshot = () => null;

/**
 * Starts loading the markdown renderer, if it is not loaded or loading yet, so answers render as markdown the moment
 * they arrive: call it where the user shows intent (hovering "open chat"), or in a test's `beforeAll`. Every chat
 * loads it on mount anyway; until it has loaded, messages show their text as written. Resolves `true` once markdown
 * renders, `false` when its chunk failed to load (a network error or a stale deployment); it never rejects, and the
 * next call or newly mounted message tries again.
 *
 * @example
 * <button onPointerEnter={() => void preloadMarkdown()} onClick={openChat}>Chat with us</button>
 */
export function preloadMarkdown(): Promise<boolean> {
  if (lexer) return Promise.resolve(true);
  loading ??= import('./markdown-lexer.js').then(
    (module) => {
      lexer = module.lexMarkdown;
      for (const listener of [...listeners]) listener();
      return true;
    },
    () => {
      // Forget the failure so that a later mount retries: webpack's chunk loader (Next.js) fetches a failed chunk
      // again; native `import()` (Vite) may keep failing until the page reloads. The text stays readable either way.
      loading = null;
      return false;
    },
  );
  return loading;
}

/** Starts loading the renderer from an effect: a component that will show markdown (or soon may) calls it on mount. */
export function requestMarkdown(): void {
  if (!lexer) void preloadMarkdown();
}

/**
 * The markdown lexer once loaded, else `null` (always `null` while rendering on a server and hydrating); loading starts
 * when the calling component mounts, and it re-renders once the lexer is there.
 */
export function useMarkdownLexer(): MarkdownLexer | null {
  const lex = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
  useEffect(requestMarkdown, []);
  return lex;
}
