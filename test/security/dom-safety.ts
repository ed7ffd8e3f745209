/**
 * Checks that rendered model output can neither run script nor make a request: the whole-page counterpart of the
 * per-payload corpus in test/components/markdown-xss.test.tsx, for the composed chats.
 */

/** Where the chats render text that came from the model or the server. */
export const UNTRUSTED_SLOTS = '[data-slot=message-content], [data-slot=error-banner-message], [data-slot=conversation-title], [data-slot=chat-header] h2';

/** Elements that run script, load something or restyle the page. None belongs in rendered model output. */
const ACTIVE_ELEMENTS =
  'script, iframe, object, embed, form, svg, math, video, audio, picture, source, track, link, meta, style, base, frame, frameset, template, noscript';

/** Elements the page itself may never hold, chrome included. */
const NEVER_ELEMENTS = 'script, iframe, object, embed, base, meta, link, frame, frameset';

/** Attributes that make the browser fetch a URL (or run one) besides `src` and `href`. */
const FETCHING_ATTRIBUTES = new Set(['srcset', 'ping', 'poster', 'background', 'formaction', 'xlink:href', 'srcdoc', 'action', 'data', 'codebase']);

/** Options of {@link unsafeMarkup}. */
export interface SafetyOptions {
  /** Origins (`https://cdn.example.com`) images may load from. @defaultValue none */
  imageOrigins?: readonly string[];
}

/** The value as a browser reads a URL scheme: ASCII whitespace and controls dropped, lower case. */
function normalised(value: string): string {
  return [...value].filter((char) => char.charCodeAt(0) > 0x20 && char.charCodeAt(0) !== 0x7f).join('').toLowerCase();
}

/** Violations on any element of the page: handlers, script URLs, fetching attributes, unsafe images and links. */
function pageViolations(root: Element, options: SafetyOptions): string[] {
  const violations: string[] = [];
  for (const element of root.querySelectorAll(NEVER_ELEMENTS)) violations.push(`<${element.localName}>`);
  for (const element of [root, ...root.querySelectorAll('*')]) {
    for (const { name, value } of element.attributes) {
      const scheme = normalised(value);
      if (name.startsWith('on')) violations.push(`${name} on <${element.localName}>`);
      if (/^(javascript|vbscript|data|blob|file):/.test(scheme)) violations.push(`${name}="${value}" on <${element.localName}>`);
      if (FETCHING_ATTRIBUTES.has(name)) violations.push(`${name} on <${element.localName}>`);
      if (name === 'style' && scheme.includes('url(')) violations.push(`style with url() on <${element.localName}>`);
    }
  }
  for (const image of root.querySelectorAll('img, image, input[type=image]')) {
    const src = image.getAttribute('src') ?? image.getAttribute('href') ?? '';
    if (!(options.imageOrigins ?? []).some((origin) => src.startsWith(`${origin}/`))) violations.push(`image from "${src}"`);
    if (image.getAttribute('referrerpolicy') !== 'no-referrer') violations.push(`image without referrerpolicy=no-referrer: "${src}"`);
  }
  for (const link of root.querySelectorAll('[href]')) {
    const href = link.getAttribute('href') ?? '';
    const rel = (link.getAttribute('rel') ?? '').split(/\s+/);
    if (!/^(https?:\/\/|mailto:)/i.test(href)) violations.push(`link to "${href}"`);
    if (link.localName !== 'a') violations.push(`href on <${link.localName}>`);
    else if (!['noopener', 'noreferrer', 'nofollow'].every((token) => rel.includes(token))) violations.push(`link "${href}" with rel="${rel.join(' ')}"`);
    else if (link.getAttribute('target') !== '_blank') violations.push(`link "${href}" opening in the app's own tab`);
  }
  return violations;
}

/**
 * Everything under `root` that could run script or make a request: on any element, event handlers, script and data
 * URLs, fetching attributes, images outside `imageOrigins` or without `referrerpolicy="no-referrer"`, links that are
 * not absolute http(s)/mailto or lack `rel="noopener noreferrer nofollow"` and `target="_blank"`; inside the slots
 * that render untrusted text ({@link UNTRUSTED_SLOTS}), any active element (script, svg, form, style, media…).
 */
export function unsafeMarkup(root: Element, options: SafetyOptions = {}): string[] {
  const violations = pageViolations(root, options);
  for (const slot of root.querySelectorAll(UNTRUSTED_SLOTS)) {
    for (const element of slot.querySelectorAll(ACTIVE_ELEMENTS)) violations.push(`<${element.localName}> in [data-slot=${slot.getAttribute('data-slot')}]`);
  }
  return violations;
}

/**
 * Runs {@link unsafeMarkup} on `root` after every batch of DOM mutations until `stop()`, which returns every
 * violation seen (deduplicated): a streamed answer passes through many intermediate DOMs, and each must be safe.
 */
export function watchUnsafeMarkup(root: Element, options: SafetyOptions = {}): { stop(): string[]; readonly batches: number } {
  const seen = new Set<string>();
  let batches = 0;
  const check = (): void => {
    batches++;
    for (const violation of unsafeMarkup(root, options)) seen.add(violation);
  };
  const observer = new MutationObserver(check);
  observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
  check();
  return {
    stop() {
      observer.disconnect();
      check();
      return [...seen];
    },
    get batches() {
      return batches;
    },
  };
}

/** Inline script that leaves a mark if it ever runs (jsdom runs inline handlers in vitest's environment). */
export const CANARY_SCRIPT = "document.body.dataset.pwned='1'";

/** Whether {@link CANARY_SCRIPT} ran. */
export const canaryRan = (): boolean => document.body.dataset.pwned !== undefined;

/** Resolves after queued tasks (an `ontoggle`, an `onerror`) had their chance to run. */
export const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
