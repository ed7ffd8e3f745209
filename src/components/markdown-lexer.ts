import { Lexer, Tokenizer, type Token, type Tokens, type TokensList } from 'marked';

/**
 * marked's lexer, bounded so that no model output costs more than linear time. Every limit below is a place where
 * marked 18 is quadratic (or recursive without end) on hostile input; times are marked's alone, for 50,000 characters
 * on a 2-core CI machine. Past a limit the text stays literal, which is what such input means anyway.
 */

/**
 * How deep containers (block quotes, list items) may nest: marked re-lexes every level's content, and recurses once
 * per level (`>` × 50,000 overflows the stack). markdown-it's CommonMark preset stops at 20 for the same reason;
 * chat answers use 3 or 4.
 */
export const maxBlockDepth = 16;

/** How deep emphasis, strikethrough and link text may nest before the inner text is literal. */
export const maxInlineDepth = 16;

/**
 * How many `*`, `_` or `~` openers one paragraph (or heading, or table cell) may try. Each try scans ahead for its
 * closer, so `*a *a *a … a*` costs one scan per opener (2.7 s for 10,000 characters).
 */
export const maxEmphasisOpeners = 256;

/**
 * How many elements (emphasis, code spans, links, line breaks) one paragraph, heading or cell may render; the rest
 * of it is literal text. `` `a`a`a… `` is 12,500 code spans in 50,000 characters, and each costs a DOM element.
 */
export const maxInlineElements = 256;

/** How far ahead an opener looks for its closer: emphasis spans at most this many characters. */
export const maxEmphasisSpan = 1000;

/**
 * The longest local part (before the `@`) an e-mail autolink may have; RFC 5321 allows 64. marked's GFM rules look
 * for an `@` after every run of address characters, from each position in the run: `_a_a_a…` costs 4 s and
 * `aaa…@` 12 s. Past this length, an `@` is only looked for in a window.
 */
const maxEmailLocalPart = 64;
const textWindow = 60;
// A window plus the longest local part that may follow it, plus the 4 characters of a `www.` the window may take.
const longRun = maxEmailLocalPart + textWindow + 4;
const urlStart = /^(?:(?:https?|ftp):\/\/|www\.|mailto:|xmpp:)/i;
// Characters before the opener that decide whether it may open (its whole delimiter run, and one more).
const emphasisLookbehind = 64;

function charTable(pattern: RegExp): Uint8Array {
  const table = new Uint8Array(128);
  for (let code = 0; code < 128; code++) table[code] = pattern.test(String.fromCharCode(code)) ? 1 : 0;
  return table;
}
// What marked's text rule scans ahead over looking for an `@`, and what its e-mail autolink accepts before one.
const addressChars = charTable(/[a-zA-Z0-9.!#$%&'*+/=?_`{|}~-]/);
const localPartChars = charTable(/[A-Za-z0-9._+-]/);

/** For each position of `text`, where the run of `chars` starting there ends (the position itself if none). */
function runEnds(text: string, chars: Uint8Array): Int32Array {
  const ends = new Int32Array(text.length + 1);
  ends[text.length] = text.length;
  for (let index = text.length - 1; index >= 0; index--) {
    const code = text.charCodeAt(index);
    ends[index] = code < 128 && chars[code] === 1 ? ends[index + 1]! : index;
  }
  return ends;
}

/** For each position of `text`, where the run of `chars` through it starts (the position itself if none). */
function runStarts(text: string, chars: Uint8Array): Int32Array {
  const starts = new Int32Array(text.length + 1);
  const member = (index: number) => {
    const code = text.charCodeAt(index);
    return code < 128 && chars[code] === 1;
  };
  for (let index = 0; index <= text.length; index++) {
    starts[index] = index > 0 && index < text.length && member(index) && member(index - 1) ? starts[index - 1]! : index;
  }
  return starts;
}

/** One inline run being tokenized (a paragraph's text, or the text inside emphasis or a link). */
class InlineRun {
  #addressEnds: Int32Array | undefined;
  #localPartEnds: Int32Array | undefined;
  #localPartStarts: Int32Array | undefined;

  constructor(readonly text: string) {}

  /** How many address characters follow from `src` (always a suffix of this run) on. */
  addressRun(src: string): number {
    const at = this.text.length - src.length;
    return (this.#addressEnds ??= runEnds(this.text, addressChars))[at]! - at;
  }

  /** The length of the whole run of local-part characters `src` starts in (0 if it starts with none). */
  localPartSpan(src: string): number {
    const at = this.text.length - src.length;
    this.#localPartEnds ??= runEnds(this.text, localPartChars);
    this.#localPartStarts ??= runStarts(this.text, localPartChars);
    return this.#localPartEnds[at]! - this.#localPartStarts[at]!;
  }
}

const textTokenTypes = new Set(['text', 'escape', 'html']);

/** Keeps the first {@link maxInlineElements} elements of an inline run and turns the rest into one literal text. */
function capElements(tokens: Token[]): void {
  let elements = 0;
  const cut = tokens.findIndex((token) => !textTokenTypes.has(token.type) && ++elements > maxInlineElements);
  if (cut === -1) return;
  const rest = tokens.splice(cut).map((token) => token.raw).join('');
  tokens.push(plainText(rest));
}

function plainParagraph(src: string): Tokens.Paragraph {
  return { type: 'paragraph', raw: src, text: src, tokens: [plainText(src)] };
}

function plainText(src: string): Tokens.Text {
  // `escaped`: shown exactly as written, character references included.
  return { type: 'text', raw: src, text: src, escaped: true };
}

class BoundedTokenizer extends Tokenizer {
  /** Set by the lexer for each inline run. */
  run: InlineRun | undefined;
  openersLeft = maxEmphasisOpeners;

  /** Whether `src` starts an opener worth trying, counted against the run's budget. */
  #mayOpen(src: string, delimiters: string): boolean {
    // marked asks at every position; only a delimiter is a real attempt.
    if (!delimiters.includes(src[0] ?? '') || this.openersLeft <= 0) return false;
    this.openersLeft--;
    return true;
  }

  /** `src` and `maskedSrc` cut to the span an opener may cover, with enough before it to judge the opener. */
  #window(src: string, maskedSrc: string): [string, string] {
    if (src.length <= maxEmphasisSpan) return [src, maskedSrc];
    const at = maskedSrc.length - src.length;
    return [src.slice(0, maxEmphasisSpan), maskedSrc.slice(Math.max(0, at - emphasisLookbehind), at + maxEmphasisSpan)];
  }

  override emStrong(src: string, maskedSrc: string, prevChar?: string): Tokens.Em | Tokens.Strong | undefined {
    if (!this.#mayOpen(src, '*_')) return undefined;
    return super.emStrong(...this.#window(src, maskedSrc), prevChar);
  }

  override del(src: string, maskedSrc: string, prevChar?: string): Tokens.Del | undefined {
    if (!this.#mayOpen(src, '~')) return undefined;
    return super.del(...this.#window(src, maskedSrc), prevChar);
  }

  override escape(src: string): Tokens.Escape | undefined {
    const first = super.escape(src);
    if (!first || src.charCodeAt(first.raw.length) !== 92) return first;
    // marked makes one token per escaped character: `\\\\…` would be 25,000 tokens in 50,000 characters. One token for
    // the run renders the same text with a fraction of the allocations (and garbage collections).
    let { raw, text } = first;
    for (let next = super.escape(src.slice(raw.length)); next; next = super.escape(src.slice(raw.length))) {
      raw += next.raw;
      text += next.text;
    }
    return { type: 'escape', raw, text };
  }

  override url(src: string): Tokens.Link | undefined {
    // Without a scheme or `www.`, only an e-mail address can match here, and its local part is the run it starts in.
    if (this.run && !urlStart.test(src) && this.run.localPartSpan(src) > maxEmailLocalPart) return undefined;
    return super.url(src);
  }

  override inlineText(src: string): Tokens.Text | undefined {
    if (this.run && src.length > longRun) {
      const lead = /^(?:`+|~+)/.exec(src)?.[0].length ?? 0;
      if (this.run.addressRun(src) > lead + longRun) {
        // No address can start within the next `textWindow` characters (url above declines them all), so marked's
        // rule may see only those: it still stops before every delimiter, but looks 60 characters ahead, not all.
        let end = lead + textWindow;
        // Never split `www.`: whether it starts an autolink depends on the character before it.
        for (let start = end - 3; start <= end; start++) if (src.startsWith('www.', start)) end = start + 4;
        return super.inlineText(src.slice(0, end));
      }
    }
    return super.inlineText(src);
  }
}

class BoundedLexer extends Lexer {
  readonly #tokenizer: BoundedTokenizer;
  #blockDepth = 0;
  #inlineDepth = 0;

  constructor(tokenizer: BoundedTokenizer) {
    super({ gfm: true, tokenizer });
    this.#tokenizer = tokenizer;
  }

  override blockTokens(src: string, tokens?: Token[], lastParagraphClipped?: boolean): Token[];
  override blockTokens(src: string, tokens?: TokensList, lastParagraphClipped?: boolean): TokensList;
  override blockTokens(src: string, tokens: Token[] = [], lastParagraphClipped = false): Token[] {
    if (this.#blockDepth >= maxBlockDepth) {
      tokens.push(plainParagraph(src));
      return tokens;
    }
    this.#blockDepth++;
    try {
      return super.blockTokens(src, tokens, lastParagraphClipped);
    } finally {
      this.#blockDepth--;
    }
  }

  override inlineTokens(src: string, tokens: Token[] = []): Token[] {
    if (this.#inlineDepth >= maxInlineDepth) {
      tokens.push(plainText(src));
      return tokens;
    }
    // A paragraph, heading or cell gets its own budget; the runs nested in it draw from the same one.
    if (this.#inlineDepth === 0) this.#tokenizer.openersLeft = maxEmphasisOpeners;
    const tokenizer = this.#tokenizer;
    const outer = { run: tokenizer.run, emStrong: tokenizer.emStrong, del: tokenizer.del };
    tokenizer.run = new InlineRun(src);
    if (!/[*_~]/.test(src)) {
      // marked masks every run for a tokenizer with its own emStrong or del (a pass that allocates per punctuation
      // character); without a delimiter ours cannot differ from marked's, so hand it marked's own for this run.
      tokenizer.emStrong = Tokenizer.prototype.emStrong;
      tokenizer.del = Tokenizer.prototype.del;
    }
    this.#inlineDepth++;
    try {
      // marked fills `tokens` in place (a paragraph's own array), so the cap must too.
      super.inlineTokens(src, tokens);
      capElements(tokens);
      return tokens;
    } finally {
      this.#inlineDepth--;
      Object.assign(tokenizer, outer);
    }
  }
}

/** The result of {@link lexMarkdown}. */
export interface LexedMarkdown {
  tokens: Token[];
  /** Reference definitions change how earlier blocks lex (`[a][ref]` becomes a link), so blocks re-render on them. */
  linksKey: string;
}

/**
 * Lexes markdown (GFM) into marked tokens in time linear in the text's length (see the limits above). A fresh lexer
 * with its own options each time: a host app's `marked.use()` extensions never reach it. Never throws: text marked
 * cannot lex becomes one literal paragraph.
 *
 * @example
 * const { tokens } = lexMarkdown('**bold** and `code`');
 */
export function lexMarkdown(text: string): LexedMarkdown {
  try {
    const tokens = new BoundedLexer(new BoundedTokenizer()).lex(text);
    return { tokens, linksKey: JSON.stringify(tokens.links) };
  } catch {
    return { tokens: [plainParagraph(text)], linksKey: '' };
  }
}
