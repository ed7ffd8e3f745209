import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ChatError,
  createChatStore,
  createRateLimiter,
  messageText,
  type ChatErrorCode,
  type ChatStatus,
  type ChatStore,
} from 'colloquy/core';
import { createManualTransport, flush } from '../helpers/manual-transport.js';

/**
 * `createChatStore` under random interleavings of send, retry, stop, token arrivals, transport failures and the
 * passing of time, checked against a model after every step (fast-check model-based testing):
 * - never two requests in flight;
 * - no token applied after a stop (tokens queued before the stop included: the store had not read them yet);
 * - no accepted user message lost, a refused send changes nothing and sends nothing;
 * - the status is always one of the declared states, the one the model predicts.
 */
const MAX_INPUT = 10;
const LIMIT = 3;
const WINDOW_MS = 1_000;
const STATUSES: readonly ChatStatus[] = ['idle', 'submitting', 'streaming', 'error'];

type Pending = { kind: 'delta'; text: string } | { kind: 'done' } | { kind: 'fail'; error: ChatError };

interface Model {
  userTexts: string[];
  busy: boolean;
  status: ChatStatus;
  /** The current (or last) turn's answer text, `undefined` while it has none. */
  answer: string | undefined;
  lastOutcome: 'none' | 'complete' | 'cancelled' | 'error';
  /** Events the test pushed to the current call that the store has not read yet (it reads when microtasks run). */
  pending: Pending[];
  now: number;
  stamps: number[];
  blockedUntil: number;
}

interface Real {
  store: ChatStore;
  transport: ReturnType<typeof createManualTransport>;
  clock: { now: number };
  /** Calls the test ended (done, failure or end of stream). */
  closed: Set<number>;
}

const current = (real: Real): number => real.transport.calls.length - 1;
const permitted = (model: Model): boolean =>
  model.blockedUntil <= model.now && model.stamps.filter((stamp) => stamp > model.now - WINDOW_MS).length < LIMIT;

function startTurn(model: Model): void {
  Object.assign(model, { busy: true, status: 'submitting', answer: undefined, lastOutcome: 'none', pending: [] });
  model.stamps.push(model.now);
}

function checkInvariants(model: Model, real: Real): void {
  const state = real.store.getState();
  expect(STATUSES).toContain(state.status);
  expect(state.status).toBe(model.status);
  expect(state.messages.filter((message) => message.role === 'user').map(messageText)).toEqual(model.userTexts);
  const last = state.messages.at(-1);
  if (model.answer === undefined) expect(last?.role ?? 'user').toBe('user');
  else expect([last?.role, last && messageText(last)]).toEqual(['assistant', model.answer]);
  const inFlight = real.transport.calls.filter((call, i) => !call.signal.aborted && !real.closed.has(i));
  expect(inFlight.length).toBeLessThanOrEqual(1);
}

/** Runs a send or retry and checks it against the model's verdict; a refusal must leave everything as it was. */
function expectVerdict(model: Model, real: Real, act: () => ReturnType<ChatStore['send']>, refusal: ChatErrorCode | undefined): boolean {
  const before = real.store.getState();
  const calls = real.transport.calls.length;
  const result = act();
  if (refusal !== undefined) {
    expect(result).toMatchObject({ ok: false, error: { code: refusal } });
    expect(real.store.getState()).toBe(before);
    expect(real.transport.calls).toHaveLength(calls);
    return false;
  }
  expect(result.ok).toBe(true);
  expect(real.transport.calls).toHaveLength(calls + 1);
  startTurn(model);
  return true;
}

/** Applies the events the store has read (it reads them as soon as microtasks run). */
function settle(model: Model, real: Real): void {
  for (const event of model.pending.splice(0)) {
    if (!model.busy) break;
    if (event.kind === 'delta' && event.text !== '') Object.assign(model, { answer: (model.answer ?? '') + event.text, status: 'streaming' });
    if (event.kind === 'done') Object.assign(model, { busy: false, status: 'idle', lastOutcome: 'complete', answer: model.answer ?? '' });
    if (event.kind === 'fail') {
      Object.assign(model, { busy: false, status: 'error', lastOutcome: 'error' });
      if (event.error.code === 'rate_limited' && event.error.retryAfterMs !== undefined) model.blockedUntil = Math.max(model.blockedUntil, model.now + event.error.retryAfterMs);
      const state = real.store.getState();
      expect(state.status === 'error' && state.error.code).toBe(event.error.code);
    }
  }
}

/**
 * A command: `act` runs synchronously, so events it pushes are still unread by the store when it acts next (a stop
 * right after tokens, a send right after `done`); then microtasks run, the store reads, and the invariants are checked.
 */
const step = (name: string, check: (model: Readonly<Model>) => boolean, act: (model: Model, real: Real) => void): fc.AsyncCommand<Model, Real> => ({
  check,
  async run(model, real) {
    act(model, real);
    await flush();
    settle(model, real);
    checkInvariants(model, real);
  },
  toString: () => name,
});
const always = () => true;
const busy = (model: Readonly<Model>) => model.busy;

function send(model: Model, real: Real, text: string): void {
  const refusal: ChatErrorCode | undefined =
    text.trim() === '' ? 'invalid_input' : [...text].length > MAX_INPUT ? 'message_too_long' : model.busy ? 'conflict' : permitted(model) ? undefined : 'rate_limited';
  if (expectVerdict(model, real, () => real.store.send(text), refusal)) model.userTexts.push(text);
}

function retry(model: Model, real: Real): void {
  const question = real.store.getState().messages.filter((message) => message.role === 'user').at(-1);
  const retryable = model.lastOutcome === 'cancelled' || model.lastOutcome === 'error';
  const refusal = model.busy ? 'conflict' : !retryable ? 'invalid_input' : permitted(model) ? undefined : 'rate_limited';
  // Same question, same id: the idempotency key survives a retry.
  if (expectVerdict(model, real, () => real.store.retry(), refusal)) expect(real.transport.calls[current(real)]!.request.messages.at(-1)?.id).toBe(question?.id);
}

function stop(model: Model, real: Real): void {
  const before = real.store.getState();
  real.store.stop();
  if (!model.busy) return void expect(real.store.getState()).toBe(before);
  expect(real.transport.calls[current(real)]!.signal.aborted).toBe(true);
  // What the store had not read yet is dropped with the turn.
  Object.assign(model, { busy: false, status: 'idle', lastOutcome: 'cancelled', pending: [] });
}

function pushTokens(model: Model, real: Real, texts: string[]): void {
  for (const text of texts) {
    real.transport.calls[current(real)]!.push({ type: 'delta', content: text });
    model.pending.push({ kind: 'delta', text });
  }
}

function pushDone(model: Model, real: Real): void {
  real.transport.calls[current(real)]!.push({ type: 'done' });
  real.closed.add(current(real));
  model.pending.push({ kind: 'done' });
}

const token = fc.string({ maxLength: 3 });
const actions = { stop, retry, send: (model: Model, real: Real) => send(model, real, 'next') };

const commands = [
  fc.oneof(fc.constantFrom('hi', 'café ☕', '😀'.repeat(MAX_INPUT)), fc.constantFrom('', '  ', 'x'.repeat(MAX_INPUT + 1))).map((text) =>
    step(`send(${JSON.stringify(text)})`, always, (model, real) => send(model, real, text)),
  ),
  fc.constant(step('retry()', always, retry)),
  fc.constant(step('stop()', always, stop)),
  fc.array(token, { minLength: 1, maxLength: 3 }).map((texts) => step(`tokens(${JSON.stringify(texts)})`, busy, (model, real) => pushTokens(model, real, texts))),
  fc.constant(step('done', busy, pushDone)),
  fc.constantFrom<[ChatErrorCode, ChatError | TypeError | undefined]>(
    ['server_error', new ChatError('server_error', 'Boom.')],
    ['rate_limited', new ChatError('rate_limited', 'Slow down.', { retryAfterMs: 700 })],
    ['network', new TypeError('fetch failed')],
    // The stream ends without `done`: a truncated answer.
    ['bad_response', undefined],
  ).map(([code, error]) =>
    step(`fail(${code})`, busy, (model, real) => {
      const call = real.transport.calls[current(real)]!;
      if (error === undefined) call.end();
      else call.fail(error);
      real.closed.add(current(real));
      model.pending.push({ kind: 'fail', error: error instanceof ChatError ? error : new ChatError(code, code) });
    }),
  ),
  fc.tuple(fc.array(token, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.constantFrom<keyof typeof actions>('stop', 'send', 'retry')).map(([texts, done, action]) =>
    step(`tokens(${JSON.stringify(texts)})${done ? ', done' : ''} then ${action}() before the store reads them`, busy, (model, real) => {
      pushTokens(model, real, texts);
      if (done) pushDone(model, real);
      actions[action](model, real);
    }),
  ),
  fc.string({ minLength: 1, maxLength: 3 }).map((text) =>
    // Any earlier call (stopped, finished or failed): whatever it yields must never reach the state.
    step(`stale token(${JSON.stringify(text)})`, (model) => model.stamps.length > 1, (_model, real) => real.transport.calls[0]!.push({ type: 'delta', content: text })),
  ),
  fc.integer({ min: 1, max: 1_500 }).map((ms) =>
    step(`wait ${ms} ms`, always, (model, real) => {
      model.now += ms;
      real.clock.now += ms;
    }),
  ),
];

describe('createChatStore under random interleavings (model-based)', () => {
  it('keeps its invariants', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: 'max' }), async (steps) => {
        const clock = { now: 0 };
        const rateLimit = createRateLimiter({ maxRequests: LIMIT, intervalMs: WINDOW_MS, now: () => clock.now });
        const transport = createManualTransport();
        let id = 0;
        const store = createChatStore({ transport, rateLimit, maxInputLength: MAX_INPUT, generateId: () => `id${++id}` });
        const model: Model = { userTexts: [], busy: false, status: 'idle', answer: undefined, lastOutcome: 'none', pending: [], now: 0, stamps: [], blockedUntil: 0 };
        try {
          await fc.asyncModelRun(() => ({ model, real: { store, transport, clock, closed: new Set() } }), steps);
        } finally {
          store.dispose();
          rateLimit.dispose();
        }
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
