import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTokens, LONG_REPLY, MARKDOWN_REPLY, replyFor, tokenize } from 'colloquy/mocks';

describe('replyFor', () => {
  it('answers markdown and code prompts with rich markdown', () => {
    expect(replyFor('Show me some Markdown')).toBe(MARKDOWN_REPLY);
    expect(replyFor('write code for me')).toBe(MARKDOWN_REPLY);
    expect(MARKDOWN_REPLY).toMatch(/^## /m);
    expect(MARKDOWN_REPLY).toMatch(/^- /m);
    expect(MARKDOWN_REPLY).toMatch(/^\| --- \| --- \|$/m);
    expect(MARKDOWN_REPLY).toMatch(/^```ts$/m);
    expect(MARKDOWN_REPLY).toMatch(/\[[^\]]+\]\(https:\/\/[^)]+\)/);
    expect(MARKDOWN_REPLY).toMatch(/`[^`\n]+`/);
  });

  it('answers "long" prompts with several paragraphs', () => {
    expect(replyFor('Give me a long answer')).toBe(LONG_REPLY);
    expect(LONG_REPLY.split('\n\n').length).toBeGreaterThanOrEqual(3);
  });

  it('quotes other prompts, the same way every time', () => {
    const reply = replyFor('How   are\nyou?');
    expect(reply).toContain('"How are you?"');
    expect(replyFor('How   are\nyou?')).toBe(reply);
    expect(replyFor('encode this')).not.toBe(MARKDOWN_REPLY);
  });

  it('shortens a long quote without splitting a surrogate pair', () => {
    const reply = replyFor('😀'.repeat(500));
    expect(reply).toContain(`"${'😀'.repeat(120)}…"`);
  });
});

describe('tokenize', () => {
  it('splits into words with their leading whitespace', () => {
    expect(tokenize('Hello,  world\n')).toEqual(['Hello,', '  world', '\n']);
    expect(tokenize('')).toEqual([]);
    expect(countTokens('one two three')).toBe(3);
  });

  it('splits long runs without spaces into code-point-safe pieces', () => {
    const tokens = tokenize('日本語のテキストはスペースなしで長く続きます');
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join('')).toBe('日本語のテキストはスペースなしで長く続きます');
  });

  it('gives back the exact text, and never splits a code point', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const tokens = tokenize(text);
        expect(tokens.join('')).toBe(text);
        for (const token of tokens) {
          expect(token.length).toBeGreaterThan(0);
          // A lone surrogate does not survive a UTF-8 round trip.
          expect(new TextDecoder().decode(new TextEncoder().encode(token))).toBe(token);
        }
      }),
    );
  });
});
