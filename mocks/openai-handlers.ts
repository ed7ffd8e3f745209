import { delay, http, HttpResponse, type HttpHandler } from 'msw';
import { countTokens, replyFor, tokenize } from './replies.js';
import { createSseStream, SSE_DONE, sseData, type SseStep } from './sse.js';

/** OpenAI's error body, as its API sends it with every non-2xx status. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Options of {@link createOpenAIHandlers}. Every answer is deterministic: no randomness, no clock. */
export interface OpenAIMockOptions {
  /** The API base URL the client is configured with. @defaultValue 'https://api.openai.com/v1' */
  baseUrl?: string;
  /** The answer: fixed text, or a function of the last user message and the request body. @defaultValue {@link replyFor} */
  reply?: string | ((prompt: string, body: Record<string, unknown>) => string);
  /** How many content chunks a stream has (the reply's tokens grouped evenly). @defaultValue one chunk per token */
  chunkCount?: number;
  /** Wait before each content chunk, in ms. @defaultValue 0 */
  chunkIntervalMs?: number;
  /** Wait before the response headers, in ms; `'infinite'` until the request is aborted. @defaultValue 0 */
  firstByteDelayMs?: number | 'infinite';
  /** `finish_reason` of the answer. @defaultValue 'stop' */
  finishReason?: string;
  /** A fault: answer this HTTP status with OpenAI's `{ error: { message, type, param, code } }` body. */
  status?: number;
  /** Fields of the fault's error body, over the status's defaults (a 401's `invalid_api_key`, a 429's `rate_limit_exceeded`…). */
  error?: Partial<OpenAIErrorBody['error']>;
  /** Headers of the fault's response: `retry-after`, `retry-after-ms`, `x-should-retry`, `x-request-id`. */
  headers?: Record<string, string>;
  /** How many requests get the fault before the handler answers normally (to test the SDK's retries). @defaultValue Infinity */
  failTimes?: number;
  /** Streams only: the connection breaks (`TypeError: terminated`) after this many content chunks. */
  cutAfterChunks?: number;
  /** Streams only: the stream closes cleanly after the content, with no finish reason, usage or `[DONE]`. */
  endWithoutFinishReason?: boolean;
  /** Called with every request and its parsed body (count requests, capture bodies, keep `request.signal` to watch it). */
  onRequest?: (request: Request, body: unknown) => void;
}

/** The emulated endpoints, keyed so a test can replace one. */
export interface OpenAIHandlers {
  /** `POST {baseUrl}/chat/completions`, JSON or `chat.completion.chunk` SSE by the body's `stream`. */
  completions: HttpHandler;
}

const CREATED = 1_700_000_000;

const ERROR_DEFAULTS: Record<number, Omit<OpenAIErrorBody['error'], 'param'>> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: { message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { message: 'You are not allowed to sample from this model.', type: 'invalid_request_error', code: null },
  404: { message: 'The model does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' },
  429: { message: 'Rate limit reached for requests. Please try again later.', type: 'requests', code: 'rate_limit_exceeded' },
  500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null },
  503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of an OpenAI message's `content`: a string, or the text of its content parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: unknown) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
}

function messagesOf(body: Record<string, unknown>): Array<{ role: unknown; text: string }> {
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  return messages.filter(isRecord).map((message) => ({ role: message.role, text: contentText(message.content) }));
}

/** The reply's tokens grouped into `count` chunks of (nearly) equal size. */
function chunksOf(text: string, count: number | undefined): string[] {
  const tokens = tokenize(text);
  if (count === undefined || count >= tokens.length) return tokens;
  const size = Math.ceil(tokens.length / Math.max(1, count));
  const chunks: string[] = [];
  for (let i = 0; i < tokens.length; i += size) chunks.push(tokens.slice(i, i + size).join(''));
  return chunks;
}

/**
 * MSW handlers that emulate OpenAI's Chat Completions API for server tests: `POST {baseUrl}/chat/completions`
 * answers a `chat.completion`, or with `stream: true` a `chat.completion.chunk` SSE stream ending in `data: [DONE]`
 * (with the usage chunk when `stream_options.include_usage` is set). Faults: any status with OpenAI's error body and
 * headers, for the first `failTimes` requests; a slow first byte; a stream cut mid-way; a stream that ends without a
 * finish reason. `onRequest` sees every request.
 *
 * With the SDK's retries in Node, release MSW's response clones: MSW keeps an unread clone of every mocked response
 * for its `response:mocked` event, and the SDK awaits the cancel of a failed response's body before it retries, which
 * never settles while the clone is unread:
 * `server.events.on('response:mocked', ({ response }) => { response.body?.cancel().catch(() => undefined); })`.
 *
 * @example
 * server.use(createOpenAIHandlers({ baseUrl: 'http://openai.test/v1', reply: 'Hello there' }).completions);
 * @example
 * createOpenAIHandlers({ status: 429, headers: { 'retry-after': '7' }, failTimes: 1 });
 */
export function createOpenAIHandlers(options: OpenAIMockOptions = {}): OpenAIHandlers {
  const base = (options.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
  let requests = 0;

  const completions = http.post(`${base}/chat/completions`, async ({ request }) => {
    const n = ++requests;
    const body: unknown = await request.json().catch(() => undefined);
    options.onRequest?.(request, body);
    const { firstByteDelayMs = 0 } = options;
    if (firstByteDelayMs === 'infinite') await delay('infinite');
    else if (firstByteDelayMs > 0) await delay(firstByteDelayMs);

    const requestId = `req_mock_${n}`;
    if (options.status !== undefined && n <= (options.failTimes ?? Infinity)) {
      const defaults = ERROR_DEFAULTS[options.status] ?? { message: `Status ${options.status}.`, type: 'api_error', code: null };
      const error: OpenAIErrorBody['error'] = { ...defaults, param: null, ...options.error };
      return HttpResponse.json({ error }, { status: options.status, headers: { 'x-request-id': requestId, ...options.headers } });
    }

    const params = isRecord(body) ? body : {};
    const messages = messagesOf(params);
    const prompt = [...messages].reverse().find((message) => message.role === 'user')?.text ?? '';
    const text = typeof options.reply === 'function' ? options.reply(prompt, params) : (options.reply ?? replyFor(prompt));
    const chunks = chunksOf(text, options.chunkCount);
    const model = typeof params.model === 'string' ? params.model : 'gpt-4o-mini';
    const finishReason = options.finishReason ?? 'stop';
    const promptTokens = messages.reduce((sum, message) => sum + countTokens(message.text), 0);
    const completionTokens = tokenize(text).length;
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    const id = `chatcmpl-mock-${n}`;

    if (params.stream !== true) {
      return HttpResponse.json(
        {
          id,
          object: 'chat.completion',
          created: CREATED,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null, annotations: [] }, logprobs: null, finish_reason: finishReason }],
          usage,
          system_fingerprint: 'fp_mock',
        },
        { headers: { 'x-request-id': requestId } },
      );
    }

    const includeUsage = isRecord(params.stream_options) && params.stream_options.include_usage === true;
    const chunk = (choices: unknown[], chunkUsage: unknown = null): string =>
      sseData({ id, object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'fp_mock', choices, ...(includeUsage ? { usage: chunkUsage } : {}) });
    const delta = (value: Record<string, unknown>, finish: string | null = null): unknown => ({ index: 0, delta: value, logprobs: null, finish_reason: finish });
    const afterMs = options.chunkIntervalMs ?? 0;

    const steps: SseStep[] = [{ afterMs: 0, frame: chunk([delta({ role: 'assistant', content: '', refusal: null })]) }];
    for (const [index, content] of chunks.entries()) {
      if (index === options.cutAfterChunks) break;
      steps.push({ afterMs, frame: chunk([delta({ content })]) });
    }
    if (options.cutAfterChunks !== undefined && options.cutAfterChunks < chunks.length) {
      // undici's message when a socket closes mid-body.
      steps.push({ afterMs, error: new TypeError('terminated') });
    } else if (options.endWithoutFinishReason !== true) {
      steps.push({ afterMs: 0, frame: chunk([delta({}, finishReason)]) });
      if (includeUsage) steps.push({ afterMs: 0, frame: chunk([], usage) });
      steps.push({ afterMs: 0, frame: SSE_DONE });
    }
    // The request itself, not its signal: holding it keeps the abort link alive in Node (see createSseStream).
    return new HttpResponse(createSseStream(steps, request), {
      headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'x-request-id': requestId },
    });
  });

  return { completions };
}

/**
 * The emulated OpenAI endpoints with default options on the default base URL, to spread into `setupServer`.
 *
 * @example
 * const server = setupServer(...openAIHandlers);
 */
export const openAIHandlers: HttpHandler[] = Object.values(createOpenAIHandlers());
