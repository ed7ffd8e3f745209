/**
 * Turning untrusted strings from model output into values that are safe to put in the DOM.
 * The rule throughout: parse with the same WHATWG URL parser the browser uses, check the result against an
 * allowlist, and emit the *serialised* URL that was checked, never the original string, so no spelling trick
 * (case, entities, tabs, leading spaces) can differ between what was checked and what the browser follows.
 */

/** Schemes a markdown link may point to. Everything else (javascript:, vbscript:, data:, file:, blob:...) is text. */
const linkProtocols = new Set(['http:', 'https:', 'mailto:']);
const imageProtocols = new Set(['http:', 'https:']);

// The named references worth decoding in chat text, plus the ones used to hide a scheme (&colon;, &Tab;...).
// The full HTML table (2,000+ names) would cost more than it is worth; unknown names stay literal, which is safe.
const namedReferences: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', shy: '\u00ad', copy: '©', reg: '®',
  trade: '™', hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”',
  laquo: '«', raquo: '»', times: '×', divide: '÷', deg: '°', plusmn: '±', middot: '·', bull: '•',
  euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', para: '¶', larr: '←', rarr: '→', uarr: '↑',
  darr: '↓', harr: '↔', le: '≤', ge: '≥', ne: '≠', frac12: '½', frac14: '¼', frac34: '¾', zwj: '\u200d',
  zwnj: '\u200c', colon: ':', Tab: '\t', NewLine: '\n', lpar: '(', rpar: ')', sol: '/', num: '#',
  period: '.', comma: ',', semi: ';', excl: '!', quest: '?', equals: '=', percnt: '%', commat: '@',
};

const characterReference = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g;

/**
 * Decodes HTML character references (`&amp;`, `&#106;`, `&#x6A;`) in one pass, as CommonMark asks for text and
 * link destinations. Invalid code points become U+FFFD; unknown names stay as written.
 *
 * @example
 * decodeCharacterReferences('a &amp; b &#x263A;'); // 'a & b ☺'
 */
export function decodeCharacterReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(characterReference, (match, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return Object.hasOwn(namedReferences, name) ? namedReferences[name]! : match;
    const codePoint = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
    const invalid = codePoint === 0 || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff);
    return invalid ? '\ufffd' : String.fromCodePoint(codePoint);
  });
}

function parseAbsolute(href: string): URL | null {
  try {
    // No base on purpose: relative and protocol-relative (`//host`) URLs throw and are refused.
    return new URL(href);
  } catch {
    return null;
  }
}

/**
 * The `href` to render for a link written by a model, or `null` to render the link's text without a link.
 * Only absolute `http:`, `https:` and `mailto:` URLs pass. Relative, fragment and protocol-relative URLs are
 * refused: model output has no base URL of its own, and resolving it against the host page would let a model
 * link into the app it is embedded in (`/logout`, `/admin/delete?id=1`).
 *
 * @param href - the destination as written; character references are decoded first unless `literal`.
 * @param literal - true for autolinks, whose destination is taken as written (CommonMark).
 * @example
 * safeLinkHref('JaVaScRiPt:alert(1)'); // null
 * safeLinkHref('HTTPS://Example.com'); // 'https://example.com/'
 */
export function safeLinkHref(href: string, literal = false): string | null {
  const url = parseAbsolute(literal ? href : decodeCharacterReferences(href));
  return url && linkProtocols.has(url.protocol) ? url.href : null;
}

/**
 * The set of origins (`https://cdn.example.com`) an image may load from, normalised from user input.
 * Entries that are not absolute `http:`/`https:` URLs are dropped (so `null`, the origin of `data:` URLs,
 * can never be allowed); a path in an entry is ignored: the unit of trust is the origin.
 */
export function normalizeOrigins(allowlist: readonly string[] | undefined): string[] {
  const origins: string[] = [];
  for (const entry of allowlist ?? []) {
    const url = parseAbsolute(entry.trim());
    if (url && imageProtocols.has(url.protocol) && !origins.includes(url.origin)) origins.push(url.origin);
  }
  return origins;
}

/**
 * The `src` to render for an image written by a model, or `null` to keep it unloaded. An image loads only from
 * an origin in `allowedOrigins` (exact scheme, host and port: `http://cdn.example.com` and
 * `https://cdn.example.com.evil.com` do not match `https://cdn.example.com`).
 *
 * @param allowedOrigins - origins from {@link normalizeOrigins}.
 */
export function allowedImageSrc(href: string, allowedOrigins: ReadonlySet<string>): string | null {
  if (allowedOrigins.size === 0) return null;
  const url = parseAbsolute(decodeCharacterReferences(href));
  return url && imageProtocols.has(url.protocol) && allowedOrigins.has(url.origin) ? url.href : null;
}
