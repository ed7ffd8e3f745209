import { describe, expect, it } from 'vitest';
import { createChatHandlers, DEFAULT_PRICES, estimateCostUsd, priceOf, type ChatLogEvent, type ChatLogger, type UsageReport } from 'colloquy/server';
import { CHAT_URL, mockOpenAI, post, setupOpenAIServer, STREAM_URL, testClient, userTurn } from './support.js';

const server = setupOpenAIServer();

function recordingLogger(): { logger: ChatLogger; events: Array<{ level: string; event: ChatLogEvent }> } {
  const events: Array<{ level: string; event: ChatLogEvent }> = [];
  const at = (level: string) => (event: ChatLogEvent) => void events.push({ level, event });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, events };
}

describe('cost tracking (onUsage)', () => {
  it('reports the usage and the estimated cost of every answer, JSON and streamed', async () => {
    mockOpenAI(server, { reply: 'one two three four five six seven eight' });
    const reports: UsageReport[] = [];
    const { chat, stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', onUsage: (report) => reports.push(report) });
    await chat(post(CHAT_URL, userTurn('a b c')));
    await (await stream(post(STREAM_URL, userTurn('a b c')))).text();
    // gpt-4o-mini: $0.15 per 1M input tokens, $0.60 per 1M output tokens.
    const expected = { model: 'gpt-4o-mini', promptTokens: 3, completionTokens: 8, totalTokens: 11, costUsd: (3 * 0.15 + 8 * 0.6) / 1e6 };
    expect(reports).toEqual([expected, expected]);
  });

  it('uses the prices given over the defaults, and omits the cost of an unknown model', async () => {
    mockOpenAI(server, { reply: 'one two' });
    const reports: UsageReport[] = [];
    const prices = { 'my-model': { inputUsdPerMillion: 1, outputUsdPerMillion: 2 } };
    await createChatHandlers({ openai: testClient(), model: 'my-model', prices, onUsage: (report) => reports.push(report) }).chat(post(CHAT_URL, userTurn('x')));
    await createChatHandlers({ openai: testClient(), model: 'mystery', onUsage: (report) => reports.push(report) }).chat(post(CHAT_URL, userTurn('x')));
    expect(reports[0]?.costUsd).toBeCloseTo((1 * 1 + 2 * 2) / 1e6, 12);
    expect(reports[1]).not.toHaveProperty('costUsd');
  });

  it('prices a dated snapshot by its base model, longest name first', () => {
    expect(priceOf('gpt-4o-mini-2024-07-18', DEFAULT_PRICES)).toBe(DEFAULT_PRICES['gpt-4o-mini']);
    expect(priceOf('gpt-4o-2024-08-06', DEFAULT_PRICES)).toBe(DEFAULT_PRICES['gpt-4o']);
    expect(priceOf('gpt-4omni', DEFAULT_PRICES)).toBeUndefined();
    expect(estimateCostUsd('gpt-4o', { promptTokens: 1_000_000, completionTokens: 1_000_000, totalTokens: 2_000_000 }, DEFAULT_PRICES)).toBe(12.5);
  });

  it('a throwing onUsage or logger does not break the answer', async () => {
    mockOpenAI(server);
    const explode = () => {
      throw new Error('boom');
    };
    const { chat } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', onUsage: explode, logger: { info: explode, warn: explode, error: explode } });
    expect((await chat(post(CHAT_URL, userTurn()))).status).toBe(200);
  });
});

describe('logging', () => {
  it('logs one info event per answer, with ids, timing and usage but no message content', async () => {
    mockOpenAI(server, { reply: 'The secret answer.' });
    const { logger, events } = recordingLogger();
    const { chat, stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', logger });
    const response = await chat(post(CHAT_URL, userTurn('My private question')));
    await (await stream(post(STREAM_URL, userTurn('My private question')))).text();
    expect(events.map(({ level, event }) => [level, event.route, event.status])).toEqual([
      ['info', 'chat', 200],
      ['info', 'stream', 200],
    ]);
    expect(events[0]!.event).toEqual({
      requestId: response.headers.get('x-request-id'),
      route: 'chat',
      status: 200,
      latencyMs: expect.any(Number),
      model: 'gpt-4o-mini',
      finishReason: 'stop',
      usage: expect.objectContaining({ totalTokens: expect.any(Number) }),
    });
    const serialised = JSON.stringify(events);
    expect(serialised).not.toContain('private question');
    expect(serialised).not.toContain('secret answer');
  });

  it('adds the input and output with logContent: true', async () => {
    mockOpenAI(server, { reply: 'The answer.' });
    const { logger, events } = recordingLogger();
    await createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', logger, logContent: true }).chat(post(CHAT_URL, userTurn('The question')));
    expect(events[0]!.event).toMatchObject({ input: 'The question', output: 'The answer.' });
  });

  it('logs refusals as warn and upstream failures as error with the redacted upstream details', async () => {
    const { logger, events } = recordingLogger();
    const { chat, stream } = createChatHandlers({ openai: testClient(), model: 'gpt-4o-mini', logger });
    mockOpenAI(server);
    await chat(post(CHAT_URL, { messages: [] }));
    mockOpenAI(server, { status: 404, error: { message: 'The model `gpt-4o-mini` does not exist.' } });
    await chat(post(CHAT_URL, userTurn()));
    mockOpenAI(server, { reply: 'a b c d', cutAfterChunks: 2 });
    await (await stream(post(STREAM_URL, userTurn()))).text();
    expect(events.map(({ level, event }) => [level, event.status, event.code])).toEqual([
      ['warn', 400, 'invalid_input'],
      ['error', 502, 'upstream_unavailable'],
      ['error', 200, 'upstream_unavailable'],
    ]);
    expect(events[1]!.event.upstream).toMatchObject({ status: 404, code: 'model_not_found', hint: expect.stringContaining('model') });
  });
});
