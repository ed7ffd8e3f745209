/** A fixed-window budget: at most `tokens` spent per key in each window of `windowMs`, counted from its first spend. */
export interface TokenBudgetRule {
  tokens: number;
  windowMs: number;
}

/** What a {@link TokenBudgetStore} says about one key before an answer. */
export interface TokenBudgetDecision {
  /** Whether the key has tokens left in its current window. */
  allowed: boolean;
  /** Tokens left in the window (0 once spent; an answer in flight may overshoot it). */
  remaining: number;
  /** Milliseconds until the current window ends (0 when none is open). */
  resetMs: number;
}

/**
 * Where the tokens each client spent are counted, so several instances can share one budget by implementing both
 * methods. `check` reads without counting; `spend` adds an answer's tokens once it is known (its usage, or an
 * estimate for an answer that ended without one), opening a window at `now` when none is open.
 *
 * @example
 * const store: TokenBudgetStore = {
 *   check: (key, rule, now) => readWindow(redis, key, rule, now),
 *   spend: (key, tokens, rule, now) => addToWindow(redis, key, tokens, rule, now),
 * };
 */
export interface TokenBudgetStore {
  check(key: string, rule: TokenBudgetRule, now: number): TokenBudgetDecision | Promise<TokenBudgetDecision>;
  spend(key: string, tokens: number, rule: TokenBudgetRule, now: number): void | Promise<void>;
}

/** Options of {@link createMemoryTokenBudgetStore}. */
export interface MemoryTokenBudgetStoreOptions {
  /** Most client keys remembered; the least recently seen is forgotten first, so a flood of keys cannot exhaust memory. @defaultValue 10_000 */
  maxKeys?: number;
}

/**
 * The default {@link TokenBudgetStore}: one window per key in this process's memory, per instance (share a store to
 * make the budget global). A window opens with the key's first spend and lasts `windowMs`; the next spend after it
 * opens a new one.
 *
 * @example
 * createChatHandlers({ model, tokenBudget: { tokens: 200_000, windowMs: 86_400_000, store: createMemoryTokenBudgetStore() } });
 */
export function createMemoryTokenBudgetStore(options: MemoryTokenBudgetStoreOptions = {}): TokenBudgetStore {
  const maxKeys = options.maxKeys ?? 10_000;
  if (!(maxKeys >= 1)) throw new RangeError('createMemoryTokenBudgetStore: maxKeys must be at least 1.');
  const windows = new Map<string, { startedAt: number; spent: number }>();

  const current = (key: string, windowMs: number, now: number): { startedAt: number; spent: number } | undefined => {
    const window = windows.get(key);
    if (window === undefined) return undefined;
    // Re-inserted so the Map's order is least recently seen first.
    windows.delete(key);
    if (window.startedAt + windowMs <= now) return undefined;
    windows.set(key, window);
    return window;
  };

  return {
    check(key, { tokens, windowMs }, now) {
      const window = current(key, windowMs, now);
      if (window === undefined) return { allowed: true, remaining: tokens, resetMs: 0 };
      return { allowed: window.spent < tokens, remaining: Math.max(0, tokens - window.spent), resetMs: window.startedAt + windowMs - now };
    },
    spend(key, spent, { windowMs }, now) {
      if (!(spent > 0)) return;
      const window = current(key, windowMs, now) ?? { startedAt: now, spent: 0 };
      window.spent += spent;
      windows.set(key, window);
      while (windows.size > maxKeys) windows.delete(windows.keys().next().value as string);
    },
  };
}
