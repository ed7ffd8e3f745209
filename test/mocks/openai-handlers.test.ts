import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIHandlers } from 'colloquy/mocks';

const BASE = 'http://openai.test/v1';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function complete(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${BASE}/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-test' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], ...body }),
  });
}

function dataOf(text: string): string[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice('data: '.length));
}

describe('createOpenAIHandlers', () => {
  it('answers a chat.completion with deterministic ids and usage', async () => {
    server.use(createOpenAIHandlers({ baseUrl: BASE, reply: 'Hello there' }).completions);
    const response = await complete({});
    expect(response.headers.get('x-request-id')).toBe('req_mock_1');
    expect(await response.json()).toMatchObject({
      id: 'chatcmpl-mock-1',
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  });

  it('streams chunks in the requested count, with the usage chunk only when asked for', async () => {
    server.use(createOpenAIHandlers({ baseUrl: BASE, reply: 'a b c d e f', chunkCount: 3 }).completions);
    const withUsage = dataOf(await (await complete({ stream: true, stream_options: { include_usage: true } })).text());
    expect(withUsage.at(-1)).toBe('[DONE]');
    const chunks = withUsage.slice(0, -1).map((data) => JSON.parse(data) as { choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage?: unknown });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content).filter((content) => content)).toEqual(['a b', ' c d', ' e f']);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 6 } });

    const without = dataOf(await (await complete({ stream: true })).text());
    expect(without.slice(0, -1).some((data) => 'usage' in (JSON.parse(data) as object))).toBe(false);
  });

  it("answers a fault with OpenAI's error body and headers, for failTimes requests only", async () => {
    server.use(createOpenAIHandlers({ baseUrl: BASE, status: 429, headers: { 'retry-after-ms': '1500', 'x-should-retry': 'false' }, failTimes: 1 }).completions);
    const failed = await complete({});
    expect(failed.status).toBe(429);
    expect(failed.headers.get('retry-after-ms')).toBe('1500');
    expect(failed.headers.get('x-should-retry')).toBe('false');
    expect(await failed.json()).toEqual({ error: { message: expect.any(String), type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    expect((await complete({})).status).toBe(200);
  });

  it('cuts a stream mid-way, or ends it without a finish reason', async () => {
    server.use(createOpenAIHandlers({ baseUrl: BASE, reply: 'a b c d', cutAfterChunks: 1 }).completions);
    await expect((await complete({ stream: true })).text()).rejects.toThrow('terminated');
    server.use(createOpenAIHandlers({ baseUrl: BASE, reply: 'a b', endWithoutFinishReason: true }).completions);
    const data = dataOf(await (await complete({ stream: true })).text());
    expect(data).not.toContain('[DONE]');
    expect(data.some((item) => item.includes('"finish_reason":"stop"'))).toBe(false);
  });
});
