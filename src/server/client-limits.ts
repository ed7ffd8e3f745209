import { ChatError, type Usage } from '../core/index.js';
import type { CompletionParams } from './completion.js';
import { createMemoryConcurrencyStore, type ConcurrencyStore } from './concurrency-store.js';
import { createMemoryTokenBudgetStore, type TokenBudgetRule, type TokenBudgetStore } from './token-budget-store.js';

/** The cap on the answers one client may have in flight at once (chat, stream and history sends). */
export interface ServerConcurrencyOptions {
  /** Answers in flight per client key. @defaultValue 3 */
  maxConcurrent?: number;
  /** Where slots are counted. @defaultValue a {@link createMemoryConcurrencyStore} per handler set */
  store?: ConcurrencyStore;
}

/** The tokens one client may spend per window, fed by the usage of its answers. */
export interface ServerTokenBudgetOptions extends TokenBudgetRule {
  /** Where spending is counted. @defaultValue a {@link createMemoryTokenBudgetStore} per handler set */
  store?: TokenBudgetStore;
  /** Clock, for tests. @defaultValue `Date.now` */
  now?: () => number;
}

/** Options of {@link createClientLimits}, as the handlers take them. */
export interface ClientLimitsOptions {
  /** @defaultValue `{ maxConcurrent: 3 }`; `false` turns the cap off */
  concurrency?: ServerConcurrencyOptions | false;
  /** @defaultValue none */
  tokenBudget?: ServerTokenBudgetOptions;
}

/** One admitted answer: its slot and its account. */
export interface ClientLease {
  /** Adds an answer's tokens to the client's budget; never throws. */
  charge(tokens: number): void;
  /** Gives the slot back; later calls do nothing. */
  release(): void;
}

/** Admits an answer for a client key, or throws the 429 `rate_limited` that refuses it (before any model call). */
export type AdmitAnswer = (key: string) => Promise<ClientLease>;

/**
 * How long a client refused by the concurrency cap is told to wait: when a slot frees is unknown, and most answers
 * take a few seconds.
 */
const BUSY_RETRY_AFTER_MS = 1000;

/** Characters per token of the estimate charged for an answer without usage (OpenAI's rule of thumb for English). */
const CHARS_PER_TOKEN = 4;

function checked(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${name} must be a positive integer.`);
  return value;
}

function quietly(work: () => unknown): void {
  try {
    Promise.resolve(work()).catch(() => undefined);
  } catch {
    // A failing store must not break an answer that is already paid for.
  }
}

/**
 * Builds the per-client guard against a denial of wallet: a cap on answers in flight and a token budget per window.
 * Options are checked once, at startup.
 */
export function createClientLimits(options: ClientLimitsOptions): AdmitAnswer {
  const concurrency = options.concurrency === false ? undefined : (options.concurrency ?? {});
  const maxConcurrent = concurrency === undefined ? 0 : checked('concurrency.maxConcurrent', concurrency.maxConcurrent ?? 3);
  const slots = concurrency === undefined ? undefined : (concurrency.store ?? createMemoryConcurrencyStore());
  const budget = options.tokenBudget;
  const rule: TokenBudgetRule | undefined =
    budget === undefined ? undefined : { tokens: checked('tokenBudget.tokens', budget.tokens), windowMs: checked('tokenBudget.windowMs', budget.windowMs) };
  const spending = budget === undefined ? undefined : (budget.store ?? createMemoryTokenBudgetStore());
  const now = budget?.now ?? Date.now;

  return async (key) => {
    if (spending !== undefined && rule !== undefined) {
      const decision = await spending.check(key, rule, now());
      if (!decision.allowed) {
        throw new ChatError('rate_limited', 'The usage limit was reached. Try again later.', { status: 429, retryAfterMs: decision.resetMs });
      }
    }
    if (slots !== undefined && !(await slots.acquire(key, maxConcurrent))) {
      throw new ChatError('rate_limited', 'Too many answers at once. Wait for one to finish.', { status: 429, retryAfterMs: BUSY_RETRY_AFTER_MS });
    }
    let held = slots !== undefined;
    return {
      charge(tokens) {
        if (spending !== undefined && rule !== undefined && tokens > 0) quietly(() => spending.spend(key, tokens, rule, now()));
      },
      release() {
        if (!held) return;
        held = false;
        quietly(() => slots?.release(key));
      },
    };
  };
}

/** A lease that limits nothing, for calls that were admitted elsewhere (or need no admission). */
export const UNLIMITED_LEASE: ClientLease = { charge: () => undefined, release: () => undefined };

function textLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let length = 0;
  for (const part of content as unknown[]) {
    const text = typeof part === 'object' && part !== null ? (part as { text?: unknown }).text : undefined;
    if (typeof text === 'string') length += text.length;
  }
  return length;
}

/**
 * The tokens to charge for an answer: its reported usage, else an estimate of the prompt plus the text forwarded
 * (OpenAI sends usage only at the end of a stream, so an answer cut short has none, yet the model was paid for).
 */
export function tokensToCharge(usage: Usage | undefined, params: CompletionParams, text: string): number {
  if (usage !== undefined) return usage.totalTokens;
  let characters = text.length;
  for (const message of params.messages) characters += textLength((message as { content?: unknown }).content);
  return Math.ceil(characters / CHARS_PER_TOKEN);
}

/**
 * Whether a failed answer reached the model, so its tokens are charged: some text was forwarded, or the client left or
 * the time ran out while the model was working. An upstream refusal (an HTTP error before any text) costs nothing.
 */
export function failureIsBilled(error: ChatError, text: string): boolean {
  return text !== '' || error.code === 'aborted' || error.code === 'timeout';
}
