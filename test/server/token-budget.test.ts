import { describe, expect, it } from 'vitest';
import {
  createChatHandlers,
  createMemoryConversationStore,
  createMemoryTokenBudgetStore,
  type ChatHandlersOptions,
  type ChatLogEvent,
  type TokenBudgetStore,
} from 'colloquy/server';
import { call, historyHandlers, storedMessages, userMessage } from './history-support.js';
import { CHAT_URL, mockOpenAI, post, readSse, setupOpenAIServer, STREAM_URL, testClient, userTurn } from './support.js';

const server = setupOpenAIServer();

const WINDOW_MS = 60_000;
const SLOW = { reply: Array.from({ length: 40 }, (_, index) => `w${index}`).join(' '), chunkIntervalMs: 60_000 };

/** A clock the budget reads, moved by hand. */
function manualClock(start = 1_000_000): { now: number; read: () => number } {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

function handlers(options: Partial<ChatHandlersOptions> = {}) {
  return createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', ...options });
}

/** The tokens one answer to `userTurn()` costs on the emulated API, as it reports them. */
async function tokensPerAnswer(): Promise<number> {
  const body = (await (await handlers().chat(post(CHAT_URL, userTurn()))).json()) as { usage: { totalTokens: number } };
  return body.usage.totalTokens;
}

describe('token budget per client key', () => {
  it('counts JSON and streamed usage; once spent, 429 with Retry-After at the window end and no upstream call', async () => {
    const upstream = mockOpenAI(server, { reply: 'one two three' });
    const perAnswer = await tokensPerAnswer();
    const clock = manualClock();
    const { chat, stream } = handlers({ tokenBudget: { tokens: 2 * perAnswer, windowMs: WINDOW_MS, now: clock.read } });

    expect((await chat(post(CHAT_URL, userTurn()))).status).toBe(200);
    clock.now += 10_000;
    // Half the budget is left: if the JSON usage had not counted, the stream below would leave room for a third answer.
    const items = await readSse(await stream(post(STREAM_URL, userTurn())));
    expect(items.some((item) => item.kind === 'event' && item.data.includes(`"totalTokens":${perAnswer}`))).toBe(true);
    clock.now += 10_000;

    const before = upstream.count;
    const refused = await chat(post(CHAT_URL, userTurn()));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('40');
    expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: 'The usage limit was reached. Try again later.' } });
    expect((await stream(post(STREAM_URL, userTurn()))).status).toBe(429);
    expect(upstream.count).toBe(before);

    clock.now += 39_999;
    expect((await stream(post(STREAM_URL, userTurn()))).headers.get('Retry-After')).toBe('1');
    clock.now += 1;
    expect((await chat(post(CHAT_URL, userTurn()))).status).toBe(200);
    expect(upstream.count).toBe(before + 1);
  });

  it('charges a stream the client left (no usage arrives) an estimate, so aborting cannot dodge the budget', async () => {
    const upstream = mockOpenAI(server, SLOW);
    const events: ChatLogEvent[] = [];
    const write = (event: ChatLogEvent): void => void events.push(event);
    const { stream } = handlers({ tokenBudget: { tokens: 1, windowMs: WINDOW_MS }, logger: { info: write, warn: write, error: write } });
    // The model is working on it (the 200 is sent) when the client leaves: the prompt was paid for.
    const response = await stream(post(STREAM_URL, userTurn()));
    expect(response.status).toBe(200);
    await response.body!.cancel();
    await expect.poll(() => events.map((event) => event.code)).toEqual(['aborted']);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await stream(post(STREAM_URL, userTurn()))).status).toBe(429);
    expect(upstream.count).toBe(1);
  });

  it('charges nothing for an answer the upstream refused', async () => {
    const upstream = mockOpenAI(server, { status: 500 });
    const { chat, stream } = handlers({ tokenBudget: { tokens: 1, windowMs: WINDOW_MS } });
    expect((await chat(post(CHAT_URL, userTurn()))).status).toBe(502);
    expect((await stream(post(STREAM_URL, userTurn()))).status).toBe(502);
    expect((await chat(post(CHAT_URL, userTurn()))).status).toBe(502);
    expect(upstream.count).toBe(3);
  });

  it('spends through the given store, per the rate limit key, the usage the answer reported', async () => {
    mockOpenAI(server, { reply: 'one two three' });
    const perAnswer = await tokensPerAnswer();
    const spent: Array<[string, number]> = [];
    const memory = createMemoryTokenBudgetStore();
    const store: TokenBudgetStore = {
      check: (key, rule, now) => memory.check(key, rule, now),
      spend: (key, tokens, rule, now) => {
        spent.push([key, tokens]);
        return memory.spend(key, tokens, rule, now);
      },
    };
    const { stream } = handlers({
      tokenBudget: { tokens: 1000, windowMs: WINDOW_MS, store },
      rateLimit: { maxRequests: 100, intervalMs: 60_000, key: (request) => request.headers.get('x-user') ?? 'nobody' },
    });
    await readSse(await stream(post(STREAM_URL, userTurn(), { headers: { 'X-User': 'alice' } })));
    expect(spent).toEqual([['alice', perAnswer]]);
    expect(() => handlers({ tokenBudget: { tokens: 0, windowMs: WINDOW_MS } })).toThrow(RangeError);
  });

  it('applies to history sends per owner', async () => {
    const upstream = mockOpenAI(server, { reply: 'one two three' });
    const history = historyHandlers(createMemoryConversationStore(), { tokenBudget: { tokens: 1, windowMs: WINDOW_MS } });
    for (const user of ['alice', 'bob']) expect((await call(history, 'POST', '', { user, body: { id: `c-${user}` } })).status).toBe(201);
    expect((await call(history, 'POST', '/c-alice/messages', { body: userMessage('u1', 'Hi') })).status).toBe(200);
    const refused = await call(history, 'POST', '/c-alice/messages', { body: userMessage('u2', 'Again') });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect((await storedMessages(history, 'c-alice')).map((message) => message.id)).not.toContain('u2');
    expect((await call(history, 'POST', '/c-bob/messages', { user: 'bob', body: userMessage('u3', 'Hi') })).status).toBe(200);
    expect(upstream.count).toBe(2);
  });
});

describe('createMemoryTokenBudgetStore', () => {
  const rule = { tokens: 100, windowMs: WINDOW_MS };

  it('opens a window at the first spend, refuses once spent, and starts afresh when the window ends', async () => {
    const store = createMemoryTokenBudgetStore();
    expect(await store.check('k', rule, 0)).toEqual({ allowed: true, remaining: 100, resetMs: 0 });
    void store.spend('k', 60, rule, 5_000);
    expect(await store.check('k', rule, 10_000)).toEqual({ allowed: true, remaining: 40, resetMs: 55_000 });
    void store.spend('k', 60, rule, 20_000);
    expect(await store.check('k', rule, 30_000)).toEqual({ allowed: false, remaining: 0, resetMs: 35_000 });
    expect(await store.check('k', rule, 65_000)).toEqual({ allowed: true, remaining: 100, resetMs: 0 });
    void store.spend('k', 10, rule, 65_000);
    expect(await store.check('k', rule, 70_000)).toEqual({ allowed: true, remaining: 90, resetMs: 55_000 });
  });

  it('forgets the least recently seen key beyond maxKeys', async () => {
    const store = createMemoryTokenBudgetStore({ maxKeys: 2 });
    for (const key of ['a', 'b']) void store.spend(key, 100, rule, 0);
    expect((await store.check('a', rule, 1)).allowed).toBe(false);
    void store.spend('c', 100, rule, 2);
    expect((await store.check('b', rule, 3)).allowed).toBe(true);
    expect((await store.check('a', rule, 3)).allowed).toBe(false);
  });
});
