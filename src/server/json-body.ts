import { ChatError } from '../core/index.js';

function tooLarge(maxBytes: number): ChatError {
  return new ChatError('message_too_long', `The request is larger than ${maxBytes} bytes.`, { status: 413 });
}

function invalid(message: string): ChatError {
  return new ChatError('invalid_input', message, { status: 400 });
}

/** True for `application/json` and `application/*+json`, parameters such as `charset` ignored. */
function isJsonMediaType(contentType: string | null): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Deepest nesting of arrays and objects accepted; the protocol's bodies need 5 levels. */
const MAX_DEPTH = 64;

/** True when `text` nests arrays or objects deeper than `max` (brackets inside strings do not count). */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      if (++depth > max) return true;
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return false;
}

/**
 * Reads a request body as JSON, refusing anything larger than `maxBytes` with 413 `message_too_long` without ever
 * holding more than that in memory: a `Content-Length` over the limit is refused before a byte is read, and a body
 * without one (chunked) is counted while it streams and dropped the moment it passes the limit. The body must be
 * declared `application/json`: that also means a cross-origin page cannot send it without a CORS preflight.
 * Invalid UTF-8 or JSON is 400 `invalid_input`. Returns the parsed value, still `unknown`.
 *
 * @example
 * const body = await readJsonBody(request, 256 * 1024);
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  if (!isJsonMediaType(request.headers.get('content-type'))) {
    request.body?.cancel().catch(() => undefined);
    throw invalid('Send the request as JSON, with Content-Type: application/json.');
  }
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    request.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
  if (request.body === null) throw invalid('The request body is empty.');

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('The request body is not valid UTF-8.');
  }
  if (text.trim().length === 0) throw invalid('The request body is empty.');
  // Recursive walks (JSON.stringify, structuredClone) overflow the stack near 10,000 levels: refuse long before.
  if (nestsDeeperThan(text, MAX_DEPTH)) throw invalid(`The request body is nested more than ${MAX_DEPTH} levels deep.`);
  try {
    // JSON.parse defines "__proto__" as an own property, never as the prototype; the schema then copies known keys only.
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('The request body is not valid JSON.');
  }
}
