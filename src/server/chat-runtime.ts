import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type OpenAI from 'openai';
import type { ChatError, Usage } from '../core/index.js';
import type { ChatLogEvent, ChatModelOptions, UsageReport } from './chat-options.js';
import { createChatRequestParser, type ParsedChatRequest } from './chat-request.js';
import type { CompletionParams } from './completion.js';
import { lazyOpenAIClient } from './openai-client.js';
import { DEFAULT_PRICES, estimateCostUsd, type PriceTable } from './pricing.js';
import { upstreamFailureOf } from './upstream-error.js';

/**
 * Everything a chat entry point needs, resolved once from {@link ChatModelOptions}: the validator, the prompt, the
 * lazily created client, usage and cost reporting, and logging. Shared by the route handlers, the server action and
 * the history handlers, so they validate, call and report the same way.
 */
export interface ChatRuntime {
  readonly model: string;
  readonly timeoutMs: number;
  /** `undefined` keeps the client's own setting (a client passed in). */
  readonly maxRetries: number | undefined;
  /** Most messages sent to the model (the newest); a history endpoint reads no further back than this. */
  readonly maxMessages: number;
  /** Validates a body; throws a `ChatError` (400 or 413). */
  parse(body: unknown): ParsedChatRequest;
  /** The upstream request body for a validated request: model, system prompt, newest messages, token cap. */
  params(request: ParsedChatRequest): CompletionParams;
  /** The OpenAI client; throws a 500 `ChatError` when no key is configured. */
  client(): OpenAI;
  /** API keys to redact. */
  secrets(): readonly string[];
  generateId(): string;
  /** Prices the usage and calls `onUsage`; never throws. */
  reportUsage(model: string, usage: Usage): UsageReport;
  /**
   * Writes one event at the level its status deserves (5xx error, 4xx warn, else info; a client that left is info);
   * never throws. `severity` overrides the status for the level: a stream that failed after its `200`.
   */
  log(event: ChatLogEvent, severity?: number): void;
  /** The log fields of a failure: its code and the redacted upstream details. */
  errorFields(error: ChatError): Pick<ChatLogEvent, 'code' | 'upstream'>;
  /** `{ input, output }` for a log event when `logContent` is on, else `{}`. */
  contentFields(request: ParsedChatRequest | undefined, output: string | undefined): Pick<ChatLogEvent, 'input' | 'output'>;
}

/** `value ?? fallback`, refused with a `RangeError` unless it is an integer of at least `min` (checked at startup). */
export function positiveInteger(name: string, value: number | undefined, fallback: number, min = 1): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min) throw new RangeError(`${name} must be an integer of at least ${min}.`);
  return resolved;
}

/** Resolves and checks the options (a `RangeError` or `TypeError` for nonsense, at startup rather than per request). */
export function createChatRuntime(options: ChatModelOptions): ChatRuntime {
  if (typeof options.model !== 'string' || options.model.trim() === '') throw new TypeError('model is required.');
  const maxInputLength = positiveInteger('maxInputLength', options.maxInputLength, 4000);
  const maxMessages = positiveInteger('maxMessages', options.maxMessages, 50);
  const maxCompletionTokens = positiveInteger('maxCompletionTokens', options.maxCompletionTokens, 1024);
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, 60_000);
  const maxRetries = options.maxRetries === undefined ? undefined : positiveInteger('maxRetries', options.maxRetries, 2, 0);
  const parse = createChatRequestParser({ maxInputLength, allowRoles: options.allowRoles ?? [] });
  const lazy = lazyOpenAIClient({ openai: options.openai, apiKey: options.apiKey, maxRetries, timeoutMs });
  const prices: PriceTable = { ...DEFAULT_PRICES, ...options.prices };
  const generateId = options.generateId ?? (() => crypto.randomUUID());
  const { logger } = options;

  return {
    model: options.model,
    timeoutMs,
    // A client we create gets the default on the client itself; a client passed in keeps its own unless told.
    maxRetries,
    maxMessages,
    parse,
    params(request) {
      const messages: ChatCompletionMessageParam[] = [];
      if (options.system !== undefined && options.system.length > 0) messages.push({ role: 'system', content: options.system });
      // Oldest dropped first; blank history messages (an answer stopped before its first token) say nothing.
      for (const message of request.messages.slice(-maxMessages)) {
        if (message.text.length > 0) messages.push({ role: message.role, content: message.text });
      }
      return { model: options.model, messages, max_completion_tokens: maxCompletionTokens };
    },
    client: () => lazy.get(),
    secrets: () => lazy.secrets(),
    generateId,
    reportUsage(model, usage) {
      const costUsd = estimateCostUsd(model, usage, prices) ?? estimateCostUsd(options.model, usage, prices);
      const report: UsageReport = { model, ...usage, ...(costUsd === undefined ? {} : { costUsd }) };
      try {
        options.onUsage?.(report);
      } catch {
        // Accounting must not break the answer.
      }
      return report;
    },
    log(event, severity = event.status) {
      if (logger === undefined) return;
      try {
        if (severity >= 500) logger.error(event);
        else if (severity >= 400 && severity !== 499) logger.warn(event);
        else logger.info(event);
      } catch {
        // Logging must not break the answer.
      }
    },
    errorFields(error) {
      const upstream = upstreamFailureOf(error);
      return { code: error.code, ...(upstream === undefined ? {} : { upstream }) };
    },
    contentFields(request, output) {
      if (options.logContent !== true) return {};
      const input = request?.messages[request.messages.length - 1]?.text;
      return { ...(input === undefined ? {} : { input }), ...(output === undefined ? {} : { output }) };
    },
  };
}
