import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatError } from 'colloquy/core';
import { createChatAction, createChatHandlers, streamCompletion, type ChatLogEvent, type ChatLogger } from 'colloquy/server';
import { CHAT_URL, mockOpenAI, post, setupOpenAIServer, STREAM_URL, userTurn } from './support.js';

const server = setupOpenAIServer();
const DEFAULT_BASE = 'https://api.openai.com/v1';

let canary: string;
let logged: unknown[];
let consoleCalls: unknown[];
const logger: ChatLogger = {
  info: (event) => logged.push(event),
  warn: (event) => logged.push(event),
  error: (event) => logged.push(event),
};

beforeEach(() => {
  canary = `sk-canary-${crypto.randomUUID()}`;
  logged = [];
  consoleCalls = [];
  vi.stubEnv('OPENAI_API_KEY', canary);
  vi.stubEnv('OPENAI_BASE_URL', undefined);
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleCalls.push(args));
  }
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** Everything observable, serialised every way a leak could happen. */
function everything(...values: unknown[]): string {
  return values.map((value) => `${safeJson(value)}\n${inspect(value, { depth: Infinity, showHidden: true, getters: true })}`).join('\n');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

async function observe(response: Response): Promise<string> {
  return `${response.status}\n${[...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n')}\n${await response.text()}`;
}

const echoingKey = () => ({ status: 401, error: { message: `Incorrect API key provided: ${canary}. You can find your API key at https://platform.openai.com.` } });

describe('the API key never leaves the server (canary sk-canary-<uuid>)', () => {
  it('reads OPENAI_API_KEY lazily and sends it only to OpenAI', async () => {
    const upstream = mockOpenAI(server, { baseUrl: DEFAULT_BASE });
    const { chat } = createChatHandlers({ model: 'gpt-4o-mini', logger });
    const seen = await observe(await chat(post(CHAT_URL, userTurn())));
    expect(upstream.requests[0]!.request.headers.get('authorization')).toBe(`Bearer ${canary}`);
    expect(seen).not.toContain(canary);
    expect(everything(logged, consoleCalls)).not.toContain(canary);
  });

  it('a 401 whose body echoes the key: not in the JSON answer, its headers, logs or console', async () => {
    mockOpenAI(server, { baseUrl: DEFAULT_BASE, ...echoingKey() });
    const { chat, stream } = createChatHandlers({ model: 'gpt-4o-mini', logger, logContent: true, maxRetries: 0 });
    const seen = (await observe(await chat(post(CHAT_URL, userTurn())))) + (await observe(await stream(post(STREAM_URL, userTurn()))));
    expect(seen).toContain('502');
    expect(seen).not.toContain(canary);
    expect(logged).toHaveLength(2);
    // The operator still learns what happened, redacted.
    const event = logged[0] as ChatLogEvent;
    expect(event.upstream).toMatchObject({ status: 401, code: 'invalid_api_key', requestId: 'req_mock_1', hint: expect.stringContaining('OPENAI_API_KEY') });
    expect(event.upstream?.message).toContain('Incorrect API key provided: [redacted]');
    expect(everything(logged, consoleCalls)).not.toContain(canary);
  });

  it('an error frame mid-stream that echoes the key: not in the SSE frames or logs', async () => {
    server.use(
      http.post(`${DEFAULT_BASE}/chat/completions`, () => {
        const chunk = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] };
        const body = `data: ${JSON.stringify(chunk)}\n\ndata: ${JSON.stringify({ error: { message: `key ${canary} revoked`, type: 'server_error', code: null } })}\n\n`;
        return new HttpResponse(body, { headers: { 'Content-Type': 'text/event-stream' } });
      }),
    );
    const { stream } = createChatHandlers({ model: 'gpt-4o-mini', logger });
    const seen = await observe(await stream(post(STREAM_URL, userTurn())));
    expect(seen).toContain('event: error');
    expect(seen).not.toContain(canary);
    expect(everything(logged, consoleCalls)).not.toContain(canary);
  });

  it('the ChatError handed to hooks carries a redacted cause, however it is serialised', async () => {
    mockOpenAI(server, { baseUrl: DEFAULT_BASE, ...echoingKey() });
    const { default: OpenAI } = await import('openai');
    let reported: ChatError | undefined;
    const response = await streamCompletion({
      client: new OpenAI({ maxRetries: 0 }),
      params: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
      request: post(STREAM_URL, userTurn()),
      timeoutMs: 5_000,
      heartbeatMs: 15_000,
      secrets: [canary],
      onError: (error) => void (reported = error),
    });
    expect(response.status).toBe(502);
    expect(reported?.code).toBe('upstream_unavailable');
    expect(reported?.cause).toMatchObject({ status: 401 });
    expect(everything(reported, reported?.cause, reported?.toJSON(), String(reported), reported?.stack)).not.toContain(canary);
  });

  it('a server action that fails upstream returns a typed failure without the key', async () => {
    mockOpenAI(server, { baseUrl: DEFAULT_BASE, ...echoingKey() });
    const action = createChatAction({ model: 'gpt-4o-mini', logger, maxRetries: 0 });
    const result = await action(userTurn());
    expect(result).toEqual({ ok: false, error: { code: 'upstream_unavailable', message: expect.any(String) } });
    expect(everything(result, logged, consoleCalls)).not.toContain(canary);
  });

  it('without a key: 500 server_error, a hint in the log, no crash at import or creation', async () => {
    vi.stubEnv('OPENAI_API_KEY', undefined);
    const upstream = mockOpenAI(server, { baseUrl: DEFAULT_BASE });
    const { chat } = createChatHandlers({ model: 'gpt-4o-mini', logger });
    const response = await chat(post(CHAT_URL, userTurn()));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'server_error', message: expect.any(String) } });
    expect((logged[0] as ChatLogEvent).upstream?.hint).toContain('OPENAI_API_KEY');
    expect(upstream.count).toBe(0);
  });
});
