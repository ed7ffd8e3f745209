import type { MarkedToken, Token, Tokens } from 'marked';
import { Fragment, memo, useId, useMemo, type ComponentProps, type ReactNode } from 'react';
import type { ChatLabels } from '../react/index.js';
import { useLabels } from './labels.js';
import { CodeBlock } from './code-block.js';
import { cn } from './cn.js';
import { useMarkdownLexer } from './markdown-loader.js';
import { allowedImageSrc, decodeCharacterReferences, normalizeOrigins, safeLinkHref } from './safe-url.js';

/** Props of {@link Markdown}. */
export interface MarkdownProps extends Omit<ComponentProps<'div'>, 'children'> {
  /** Markdown source, usually a model's answer; may be incomplete while it streams. */
  text: string;
  /**
   * Origins images may load from (`['https://cdn.example.com']`), matched exactly on scheme, host and port.
   * Any other image renders as an inert placeholder and is never requested.
   * @defaultValue [] (no image loads)
   */
  imageAllowlist?: readonly string[];
  /** Rendered inline after the last word (a streaming caret), or after the last block when that is code or a table. */
  trailing?: ReactNode;
}

interface RenderContext {
  labels: ChatLabels;
  origins: ReadonlySet<string>;
}

const headingClasses = ['text-xl', 'text-lg', 'text-base', 'text-sm', 'text-sm', 'text-sm'] as const;
const alignClasses = { left: 'text-left', center: 'text-center', right: 'text-right' } as const;
const linkRel = 'noopener noreferrer nofollow';
const rootClasses = 'flex min-w-0 flex-col gap-3 wrap-anywhere';

/** Plain text of inline tokens (an image's alt text). */
function plainText(tokens: readonly Token[] | undefined): string {
  let text = '';
  for (const token of (tokens ?? []) as readonly MarkedToken[]) {
    if (token.type === 'text') text += token.tokens ? plainText(token.tokens) : token.escaped ? token.text : decodeCharacterReferences(token.text);
    else if (token.type === 'escape' || token.type === 'codespan' || token.type === 'html') text += token.text;
    else if (token.type === 'br') text += ' ';
    else if (token.type === 'link' && token.autolink) text += token.text;
    else if ('tokens' in token && token.tokens) text += plainText(token.tokens);
  }
  return text;
}

/** The text of a token that renders as text only, or undefined for one that renders elements. */
function inlineText(token: MarkedToken): string | undefined {
  switch (token.type) {
    case 'text':
      // `escaped` text sits inside a raw HTML tag such as <pre>: marked leaves it undecoded, and so do we.
      if (token.tokens) return undefined;
      return token.escaped ? token.text : decodeCharacterReferences(token.text);
    case 'escape':
      return token.text;
    case 'html':
      return token.text; // raw HTML is shown as the text the model wrote, never parsed
    default:
      return undefined;
  }
}

function renderInlines(tokens: readonly Token[] | undefined, ctx: RenderContext): ReactNode {
  // Adjacent tokens that are only text (text, escapes, raw HTML) become one string: one DOM text node, not one each.
  const nodes: ReactNode[] = [];
  let text = '';
  for (const token of (tokens ?? []) as readonly MarkedToken[]) {
    const plain = inlineText(token);
    if (plain !== undefined) {
      text += plain;
      continue;
    }
    if (text) nodes.push(text);
    text = '';
    nodes.push(<Fragment key={nodes.length}>{renderInline(token, ctx)}</Fragment>);
  }
  if (text) nodes.push(text);
  return nodes;
}

function renderInline(token: MarkedToken, ctx: RenderContext): ReactNode {
  switch (token.type) {
    case 'text':
      return renderInlines(token.tokens, ctx);
    case 'strong':
      return <strong className="font-semibold">{renderInlines(token.tokens, ctx)}</strong>;
    case 'em':
      return <em>{renderInlines(token.tokens, ctx)}</em>;
    case 'del':
      return <del>{renderInlines(token.tokens, ctx)}</del>;
    case 'codespan':
      return <code className="rounded-sm bg-current/10 px-1 font-code text-[0.9em]">{token.text}</code>;
    case 'br':
      return <br />;
    case 'link': {
      // Autolinks and bare URLs are literal (CommonMark): no character references to decode in text or href.
      const children = token.autolink ? token.text : renderInlines(token.tokens, ctx);
      const href = safeLinkHref(token.href, token.autolink === true);
      if (href === null) return children;
      const title = token.title ? decodeCharacterReferences(token.title) : undefined;
      return (
        <a href={href} title={title} target="_blank" rel={linkRel} className="text-link underline underline-offset-2 hover:no-underline focus-visible:outline-2 focus-visible:outline-ring">
          {children}
        </a>
      );
    }
    case 'image': {
      const alt = plainText(token.tokens);
      const src = allowedImageSrc(token.href, ctx.origins);
      if (src === null) {
        return (
          <span data-slot="markdown-image-blocked" className="inline-block rounded-control border border-dashed border-border px-2 py-0.5 text-sm text-muted-foreground">
            {ctx.labels.imageBlocked(alt)}
          </span>
        );
      }
      const title = token.title ? decodeCharacterReferences(token.title) : undefined;
      return <img src={src} alt={alt} title={title} loading="lazy" decoding="async" referrerPolicy="no-referrer" className="inline h-auto max-w-full rounded-control" />;
    }
    case 'checkbox':
      return null; // drawn by the list item
    default:
      return (token as Token).raw; // a token type this version does not know: its source, as text
  }
}

function isContent(token: Token): boolean {
  return token.type !== 'space' && token.type !== 'def';
}

/** Whether `trailing` can go inline at the end of this block (not after a code block or table). */
function canHostTrailing(token: Token | undefined): boolean {
  const block = token as MarkedToken | undefined;
  switch (block?.type) {
    case 'paragraph':
    case 'heading':
    case 'text':
    case 'html':
      return true;
    case 'blockquote':
      return canHostTrailing(block.tokens.findLast(isContent));
    case 'list':
      return canHostTrailing(block.items.at(-1)?.tokens.findLast(isContent));
    default:
      return false;
  }
}

function renderBlocks(tokens: readonly Token[], ctx: RenderContext, trailing?: ReactNode): ReactNode {
  const last = tokens.findLastIndex(isContent);
  const hosted = last >= 0 && canHostTrailing(tokens[last]);
  return (
    <>
      {tokens.map((token, index) => (
        <Fragment key={index}>{renderBlock(token as MarkedToken, ctx, hosted && index === last ? trailing : undefined)}</Fragment>
      ))}
      {!hosted && trailing}
    </>
  );
}

function renderBlock(token: MarkedToken, ctx: RenderContext, trailing: ReactNode): ReactNode {
  switch (token.type) {
    case 'space':
    case 'def':
      return null;
    case 'paragraph':
      return <p dir="auto">{renderInlines(token.tokens, ctx)}{trailing}</p>;
    case 'text': // the text of a tight list item
      return <>{token.tokens ? renderInlines(token.tokens, ctx) : decodeCharacterReferences(token.text)}{trailing}</>;
    case 'heading': {
      const Heading = `h${Math.min(Math.max(token.depth, 1), 6)}` as 'h1';
      return (
        <Heading dir="auto" className={cn('font-semibold', headingClasses[token.depth - 1])}>
          {renderInlines(token.tokens, ctx)}
          {trailing}
        </Heading>
      );
    }
    case 'html':
      return <p dir="auto" className="whitespace-pre-wrap">{token.text.replace(/\n+$/, '')}{trailing}</p>;
    case 'code':
      return <CodeBlock code={token.text.replace(/\n$/, '')} language={token.lang} />;
    case 'blockquote':
      return (
        <blockquote dir="auto" className="flex flex-col gap-3 border-s-4 border-border ps-4 text-muted-foreground">
          {renderBlocks(token.tokens, ctx, trailing)}
        </blockquote>
      );
    case 'list':
      return <MarkdownList list={token} ctx={ctx} trailing={trailing} />;
    case 'hr':
      return <hr className="border-t border-border" />;
    case 'table':
      return <MarkdownTable table={token} ctx={ctx} />;
    default:
      return <p dir="auto" className="whitespace-pre-wrap">{(token as Token).raw}</p>;
  }
}

function MarkdownList({ list, ctx, trailing }: { list: Tokens.List; ctx: RenderContext; trailing: ReactNode }) {
  const tasks = list.items.every((item) => item.task);
  const className = cn('flex flex-col gap-1 ps-6', list.ordered ? 'list-decimal' : 'list-disc', tasks && 'list-none ps-1');
  const items = list.items.map((item, index) => (
    <MarkdownListItem key={index} item={item} ctx={ctx} trailing={index === list.items.length - 1 ? trailing : undefined} />
  ));
  if (!list.ordered) return <ul className={className}>{items}</ul>;
  const start = typeof list.start === 'number' && list.start !== 1 ? list.start : undefined;
  return <ol start={start} className={className}>{items}</ol>;
}

function MarkdownListItem({ item, ctx, trailing }: { item: Tokens.ListItem; ctx: RenderContext; trailing: ReactNode }) {
  const id = useId();
  if (!item.task) {
    return (
      <li dir="auto" className="[&>*+*]:mt-2">
        {renderBlocks(item.tokens, ctx, trailing)}
      </li>
    );
  }
  // marked puts the checkbox first in the item (tight) or first in its paragraph (loose).
  const tokens = (item.tokens as MarkedToken[]).flatMap((token): Token[] => {
    if (token.type === 'checkbox') return [];
    if (token.type === 'paragraph' && token.tokens[0]?.type === 'checkbox') return [{ ...token, tokens: token.tokens.slice(1) }];
    return [token];
  });
  return (
    <li dir="auto" className="flex items-baseline gap-2">
      <input type="checkbox" checked={item.checked === true} disabled readOnly aria-labelledby={id} className="accent-accent" />
      <div id={id} className="flex min-w-0 flex-1 flex-col gap-2">
        {renderBlocks(tokens, ctx, trailing)}
      </div>
    </li>
  );
}

function MarkdownTable({ table, ctx }: { table: Tokens.Table; ctx: RenderContext }) {
  const cell = (data: Tokens.TableCell, index: number) => {
    const Cell = data.header ? 'th' : 'td';
    return (
      <Cell key={index} scope={data.header ? 'col' : undefined} dir="auto" className={cn('px-3 py-1.5 align-top', data.align ? alignClasses[data.align] : 'text-start')}>
        {renderInlines(data.tokens, ctx)}
      </Cell>
    );
  };
  return (
    <div
      data-slot="markdown-table"
      role="group"
      aria-label={ctx.labels.tableLabel}
      tabIndex={0}
      className="max-w-full overflow-x-auto rounded-control border border-border focus-visible:outline-2 focus-visible:outline-ring"
    >
      <table className="min-w-full border-collapse text-sm wrap-break-word">
        <thead className="bg-current/5 font-semibold">
          <tr>{table.header.map(cell)}</tr>
        </thead>
        <tbody>
          {table.rows.map((row, index) => (
            <tr key={index} className="border-t border-border">
              {row.map(cell)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface BlockProps {
  token: Token;
  ctx: RenderContext;
  linksKey: string;
  trailing: ReactNode;
}

/** One top-level block, skipped on re-render while its source is unchanged: a stream re-renders only its last block. */
const MarkdownBlock = memo(
  function MarkdownBlock({ token, ctx, trailing }: BlockProps) {
    return renderBlock(token as MarkedToken, ctx, trailing);
  },
  (prev, next) =>
    prev.token.raw === next.token.raw && prev.linksKey === next.linksKey && prev.ctx === next.ctx && prev.trailing === next.trailing,
);

/**
 * Renders untrusted markdown (a model's answer) as React elements, safely: GFM with tables, task lists and
 * autolinks; raw HTML shown as inert text; links only to `http:`, `https:` and `mailto:` URLs, opened in a new
 * tab without referrer; images never loaded unless their origin is in `imageAllowlist`. Built on marked's lexer
 * only (no HTML string, no `dangerouslySetInnerHTML`). Incomplete markdown (an unclosed fence mid-stream) renders
 * as far as it goes, and earlier blocks keep their DOM while the last one grows. Hostile input costs linear time:
 * past the lexer's nesting and delimiter limits (16 levels, 256 openers or elements per paragraph) the rest of a
 * block is shown as literal text.
 *
 * The renderer loads on demand (see {@link preloadMarkdown}): until it has, and on a server, the text shows as
 * written, line breaks kept, then renders as markdown once it arrives, mid-stream too.
 *
 * @selector [data-slot=markdown] the root; `[data-slot=markdown-table]` a table's scroll container;
 *   `[data-slot=markdown-image-blocked]` the placeholder of an image that was not loaded.
 * @selector [data-slot=markdown][data-plain] the text shown as written: the renderer has not loaded (yet).
 * @example
 * <Markdown text={'**Hello** [docs](https://example.com)'} imageAllowlist={['https://cdn.example.com']} />
 */
export function Markdown({ text, imageAllowlist, trailing, className, ...props }: MarkdownProps) {
  const labels = useLabels();
  // Compare allowlists by content: they are usually written inline as a new array on every render.
  const originsKey = normalizeOrigins(imageAllowlist).join(' ');
  const ctx = useMemo<RenderContext>(() => ({ labels, origins: new Set(originsKey ? originsKey.split(' ') : []) }), [labels, originsKey]);
  const lex = useMarkdownLexer();
  const lexed = useMemo(() => lex?.(text), [lex, text]);
  if (!lexed) {
    // Until the renderer has loaded (or when it failed to): the text as written, never parsed, in the same type.
    return (
      <div data-slot="markdown" data-plain="" className={cn(rootClasses, className)} {...props}>
        {text ? <p dir="auto" className="whitespace-pre-wrap">{text}{trailing}</p> : trailing}
      </div>
    );
  }
  const { tokens, linksKey } = lexed;
  const last = tokens.findLastIndex(isContent);
  const hosted = last >= 0 && canHostTrailing(tokens[last]);
  return (
    <div data-slot="markdown" className={cn(rootClasses, className)} {...props}>
      {tokens.map((token, index) => (
        <MarkdownBlock key={index} token={token} ctx={ctx} linksKey={linksKey} trailing={hosted && index === last ? trailing : undefined} />
      ))}
      {!hosted && trailing}
    </div>
  );
}
