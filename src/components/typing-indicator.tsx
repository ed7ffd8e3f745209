import { cva, type VariantProps } from 'class-variance-authority';
import type { ComponentProps } from 'react';
import { useLabels } from './labels.js';
import { cn } from './cn.js';

/** Looks of the {@link TypingIndicator}; the dots take the text colour. */
export const typingIndicatorVariants = cva('group/typing inline-flex items-center text-muted-foreground', {
  variants: {
    size: { sm: 'h-4 gap-0.5', md: 'h-6 gap-1' },
  },
  defaultVariants: { size: 'md' },
});

/** Props of {@link TypingIndicator}. */
export interface TypingIndicatorProps extends Omit<ComponentProps<'span'>, 'children'>, VariantProps<typeof typingIndicatorVariants> {
  /**
   * Also announce "Generating response" (`role="status"`). Off by default: the message list owns that announcement,
   * and two live regions saying it would say it twice. @defaultValue false
   */
  announce?: boolean;
}

const delays = ['[animation-delay:0ms]', '[animation-delay:160ms]', '[animation-delay:320ms]'];

/**
 * Three pulsing dots while an answer has not started yet. Animation stops under `prefers-reduced-motion` and
 * `[data-motion=off]` (see styles.css).
 *
 * @selector [data-slot=typing-indicator] - the dots' row; each dot is `typing-indicator-dot`
 * @selector [data-announce] - it is a status region that announces itself
 * @selector [data-size=sm] - the size in effect
 *
 * @example
 * {message.status === 'pending' ? <TypingIndicator /> : <MessageContent message={message} />}
 */
export function TypingIndicator({ announce = false, size, className, ...props }: TypingIndicatorProps) {
  const labels = useLabels();
  return (
    <span
      data-slot="typing-indicator"
      data-size={size ?? 'md'}
      data-announce={announce ? '' : undefined}
      role={announce ? 'status' : undefined}
      {...props}
      className={cn(typingIndicatorVariants({ size }), className)}
    >
      {delays.map((delay) => (
        <span key={delay} aria-hidden="true" data-slot="typing-indicator-dot" className={cn('size-1.5 animate-typing rounded-full bg-current group-data-[size=sm]/typing:size-1', delay)} />
      ))}
      {announce ? <span className="sr-only">{labels.generating}</span> : null}
    </span>
  );
}
