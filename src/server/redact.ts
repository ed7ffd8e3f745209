/** What replaces a secret in anything the server logs or keeps. */
export const REDACTED = '[redacted]';

/** OpenAI key shapes (`sk-…`, `sk-proj-…`, `sk-svcacct-…`), for keys the server was never told about. */
const KEY_PATTERN = /\bsk-[A-Za-z0-9_-]{6,}/g;

/** Longest upstream text kept for a log line, in UTF-16 units. */
const MAX_TEXT_LENGTH = 500;

/**
 * Removes secrets from a text before it is logged or attached to an error: every occurrence of the known `secrets`
 * (the server's API key), then anything shaped like an OpenAI key. OpenAI echoes a rejected key in its 401 message,
 * so an upstream message is never safe as it comes. The result is cut at 500 characters.
 *
 * @example
 * redactSecrets('Incorrect API key provided: sk-abc123456', ['sk-abc123456']); // 'Incorrect API key provided: [redacted]'
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let safe = text;
  for (const secret of secrets) {
    // Short strings would redact ordinary words; a real key is far longer.
    if (secret.length >= 8) safe = safe.split(secret).join(REDACTED);
  }
  safe = safe.replace(KEY_PATTERN, REDACTED);
  return safe.length > MAX_TEXT_LENGTH ? `${safe.slice(0, MAX_TEXT_LENGTH)}…` : safe;
}
