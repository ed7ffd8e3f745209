import { useCallback, useRef, type RefObject } from 'react';
import type { UseChatResult } from '../react/index.js';

/** What {@link useComposerFocus} returns. */
export interface ComposerFocus {
  /** Pass to the composer's `inputRef`. */
  input: RefObject<HTMLTextAreaElement | null>;
  /** Puts focus back in the composer. */
  refocus: () => void;
  /** `chat.retry`, then focus back in the composer. */
  retry: () => void;
  /** `chat.regenerate`, then focus back in the composer. */
  regenerate: () => void;
}

/**
 * Retry and Regenerate for buttons outside the composer that hand focus back to it, so typing can go on.
 * Their identities are stable, which keeps the message rows that offer them from re-rendering.
 */
export function useComposerFocus(chat: Pick<UseChatResult, 'retry' | 'regenerate'>): ComposerFocus {
  const input = useRef<HTMLTextAreaElement>(null);
  const { retry: retryTurn, regenerate: regenerateTurn } = chat;
  const refocus = useCallback(() => input.current?.focus(), []);
  const retry = useCallback(() => {
    retryTurn();
    refocus();
  }, [retryTurn, refocus]);
  const regenerate = useCallback(() => {
    regenerateTurn();
    refocus();
  }, [regenerateTurn, refocus]);
  return { input, refocus, retry, regenerate };
}
