/**
 * A rich markdown answer (heading, list, table, inline code, a TypeScript code block, a link), for rendering stories.
 * Returned by {@link replyFor} when the prompt mentions "markdown" or "code".
 */
export const MARKDOWN_REPLY = `## Streaming a chat answer

Here is what a **markdown** answer from the mock looks like:

- Lists with *emphasis* and \`inline code\`
- Links such as [MSW's documentation](https://mswjs.io/docs/)
- Characters beyond ASCII: café, naïve, 日本語, emoji 🚀👩‍💻

| Frame | Meaning |
| --- | --- |
| \`data: {"content":"…"}\` | More text |
| \`data: [DONE]\` | The answer is complete |

\`\`\`ts
import { setupServer } from 'msw/node';
import { chatHandlers } from 'colloquy/mocks';

const server = setupServer(...chatHandlers);
server.listen();
\`\`\`

> Every answer from the mock is deterministic: the same prompt gives the same text.`;

/** A several-paragraph answer, for scrolling and long-stream stories. Returned when the prompt mentions "long". */
export const LONG_REPLY = [
  'This is a long answer, written to fill the screen so you can check how the message list scrolls while text arrives. A real model often writes several paragraphs, and the interface has to stay calm while it does: the view follows the newest line only while you are already at the bottom, and stops following the moment you scroll up to read something earlier.',
  'The second paragraph exists to push the first one out of view. Streaming interfaces tend to break at exactly this point: layout shifts when a new line starts, focus jumps away from the composer, or a screen reader announces every single token. None of that should happen here, and this text gives you time to check.',
  'A third paragraph covers the end of the stream. When the answer completes, the message switches from streaming to complete, the stop button turns back into a send button, and the finished answer is announced once. If you stop the answer half way, the text that already arrived stays on screen, marked as cancelled.',
  'Finally, a short closing line, so the last paragraph differs in length from the others.',
].join('\n\n');

/** Longest stretch of the prompt quoted back, in code points, so the friendly answer stays readable. */
const MAX_QUOTE_CODE_POINTS = 120;

const OPENINGS = [
  'Thanks for your message!',
  'Good question.',
  'Happy to help with that.',
] as const;

/** FNV-1a over UTF-16 code units: a stable, clock-free way to vary replies by prompt. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The prompt collapsed to one line and cut at a code-point boundary (never in the middle of a surrogate pair). */
function quote(prompt: string): string {
  const line = prompt.trim().replace(/\s+/g, ' ');
  const codePoints = Array.from(line);
  return codePoints.length <= MAX_QUOTE_CODE_POINTS ? line : `${codePoints.slice(0, MAX_QUOTE_CODE_POINTS).join('')}…`;
}

/**
 * The mock's answer to a prompt: {@link MARKDOWN_REPLY} for prompts mentioning "markdown" or "code",
 * {@link LONG_REPLY} for "long", otherwise a short friendly answer that quotes the prompt.
 * Pure: no randomness and no clock, so stories and tests see the same text every time.
 *
 * @example
 * replyFor('Hello'); // '… You wrote: "Hello". …', the same text on every call
 */
export function replyFor(prompt: string): string {
  const lower = prompt.toLowerCase();
  if (/\b(markdown|code)/.test(lower)) return MARKDOWN_REPLY;
  if (/\blong(er|est)?\b/.test(lower)) return LONG_REPLY;
  const opening = OPENINGS[hash(prompt) % OPENINGS.length] ?? OPENINGS[0];
  return `${opening} You wrote: "${quote(prompt)}". This answer comes from colloquy's mock server, so the same message always gets the same reply.`;
}

/** Longest token, in code points: long words and runs without spaces (CJK, URLs) are split into pieces of this size. */
const MAX_TOKEN_CODE_POINTS = 12;

/**
 * Splits text into word-ish tokens the way a model streams it: each token is a word with the whitespace before it.
 * Joining the tokens gives back exactly `text`, and no token splits a surrogate pair, so every token is valid UTF-8
 * on its own (a grapheme such as 👩‍💻 may still span two tokens, as it can with a real model).
 *
 * @example
 * tokenize('Hello,  world\n'); // ['Hello,', '  world', '\n']
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  // `u` makes \S match whole code points; the trailing \s+$ keeps whitespace at the very end.
  for (const match of text.matchAll(/\s*\S+|\s+$/gu)) {
    const codePoints = Array.from(match[0]);
    for (let i = 0; i < codePoints.length; i += MAX_TOKEN_CODE_POINTS) {
      tokens.push(codePoints.slice(i, i + MAX_TOKEN_CODE_POINTS).join(''));
    }
  }
  return tokens;
}

/** A deterministic stand-in for a model's token count: the number of {@link tokenize} tokens. */
export function countTokens(text: string): number {
  return tokenize(text).length;
}
