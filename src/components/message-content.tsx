import type { ComponentProps } from 'react';
import { isTextPart, type ChatMessage, type ChatRole, type MessagePart, type TextPart } from '../core/index.js';
import { cn } from './cn.js';
import { Markdown } from './markdown.js';

/** Props of {@link MessageContent}: a `message`, or `parts` and a `role`. */
export interface MessageContentProps extends Omit<ComponentProps<'div'>, 'children' | 'role'> {
  /** The message whose parts to render; its role decides markdown or plain text. */
  message?: Pick<ChatMessage, 'role' | 'parts'>;
  /** Parts to render without a whole message; wins over `message.parts`. */
  parts?: readonly MessagePart[];
  /**
   * Who wrote the parts: `user` text is shown as typed, `assistant` and `system` text as markdown.
   * Wins over `message.role`.
   * @defaultValue message.role, else 'assistant'
   */
  role?: ChatRole;
  /**
   * Origins images in markdown may load from, matched exactly; other images are never requested.
   * @defaultValue [] (no image loads)
   */
  imageAllowlist?: readonly string[];
}

function Caret() {
  return <span data-slot="caret" aria-hidden="true" className="ms-0.5 inline-block h-[1.1em] w-[0.5ch] animate-caret bg-current align-text-bottom" />;
}

function TextPartContent({ part, role, imageAllowlist }: { part: TextPart; role: ChatRole; imageAllowlist?: readonly string[] }) {
  const caret = part.state === 'streaming' ? <Caret /> : undefined;
  if (role === 'user') {
    // What a user typed is shown as typed: no markdown, but with its line breaks.
    return (
      <p data-slot="message-text" data-state={part.state} dir="auto" className="whitespace-pre-wrap wrap-anywhere">
        {part.text}
        {caret}
      </p>
    );
  }
  return (
    <div data-slot="message-text" data-state={part.state}>
      <Markdown text={part.text} imageAllowlist={imageAllowlist} trailing={caret} />
    </div>
  );
}

/**
 * The content of one message: its text parts, as markdown for assistant and system messages and as plain text
 * (line breaks kept) for the user's. A streaming text part ends in a blinking caret. Parts of a type this version
 * does not know render nothing. Long words and URLs wrap; each text block takes its direction from its text.
 *
 * @selector [data-slot=message-content] the root; `[data-role=assistant]` carries the author's role;
 *   `[data-state=streaming]` while any text part is still growing (`done` otherwise).
 * @selector [data-slot=message-text][data-state=streaming] one text part (`data-state="done"` once complete).
 * @selector [data-slot=caret] the caret after a streaming part's text (hidden from assistive technology).
 * @example
 * <MessageContent message={message} imageAllowlist={['https://cdn.example.com']} />
 */
export function MessageContent({ message, parts, role, imageAllowlist, className, ...props }: MessageContentProps) {
  const shown = parts ?? message?.parts ?? [];
  const author = role ?? message?.role ?? 'assistant';
  const textParts = shown.filter(isTextPart);
  const streaming = textParts.some((part) => part.state === 'streaming');
  return (
    <div
      data-slot="message-content"
      data-role={author}
      data-state={streaming ? 'streaming' : 'done'}
      className={cn('flex min-w-0 max-w-full flex-col gap-3 wrap-anywhere', className)}
      {...props}
    >
      {shown.map((part, index) =>
        isTextPart(part) ? <TextPartContent key={index} part={part} role={author} imageAllowlist={imageAllowlist} /> : null,
      )}
    </div>
  );
}
