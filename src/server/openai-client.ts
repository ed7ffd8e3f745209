import OpenAI from 'openai';
import { ChatError, defaultErrorMessage } from '../core/index.js';

/** A client made on first use, and the secrets to keep out of every log and error. */
export interface LazyOpenAIClient {
  /** The client; throws a 500 `server_error` when no API key is configured. */
  get(): OpenAI;
  /** The API keys this server knows (option, environment, client), for redaction. */
  secrets(): readonly string[];
}

/** Options of {@link lazyOpenAIClient}. */
export interface LazyOpenAIClientOptions {
  openai?: OpenAI;
  apiKey?: string;
  maxRetries?: number;
  timeoutMs: number;
}

function environmentKey(): string | undefined {
  // Read at call time (not import time) so a key set after import, or by the test runner, is seen.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const key = env?.OPENAI_API_KEY;
  return key === undefined || key.trim() === '' ? undefined : key;
}

/**
 * Returns the given client, or creates one on first use from `apiKey` or `OPENAI_API_KEY`, server-side. Creating it
 * lazily lets a route module be imported at build time without the key, and means a missing key surfaces as a
 * logged 500 on the first request instead of a crash at import.
 */
export function lazyOpenAIClient(options: LazyOpenAIClientOptions): LazyOpenAIClient {
  let client = options.openai;
  const secrets = (): string[] =>
    [options.apiKey, environmentKey(), client?.apiKey].filter((key): key is string => typeof key === 'string' && key.length > 0);
  return {
    get() {
      if (client !== undefined) return client;
      const apiKey = options.apiKey ?? environmentKey();
      if (apiKey === undefined) {
        throw new ChatError('server_error', defaultErrorMessage('server_error'), {
          status: 500,
          cause: { name: 'ConfigurationError', hint: 'No OpenAI API key: set OPENAI_API_KEY or pass apiKey.' },
        });
      }
      client = new OpenAI({ apiKey, maxRetries: options.maxRetries ?? 2, timeout: options.timeoutMs });
      return client;
    },
    secrets,
  };
}
