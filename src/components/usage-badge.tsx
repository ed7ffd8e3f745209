import { cva, type VariantProps } from 'class-variance-authority';
import type { ComponentProps } from 'react';
import type { Usage } from '../core/index.js';
import { useLabels } from './labels.js';
import { cn } from './cn.js';

/** Looks of the {@link UsageBadge}. */
export const usageBadgeVariants = cva(
  'inline-flex items-center rounded-control bg-surface font-chat text-muted-foreground tabular-nums',
  {
    variants: {
      size: { sm: 'px-1.5 py-0.5 text-xs', md: 'px-2 py-0.5 text-sm' },
    },
    defaultVariants: { size: 'sm' },
  },
);

/** Props of {@link UsageBadge}. */
export interface UsageBadgeProps extends Omit<ComponentProps<'span'>, 'children'>, VariantProps<typeof usageBadgeVariants> {
  /** A message's token usage; the badge renders nothing without it. */
  usage: Usage | undefined;
}

/**
 * The tokens an answer used ("1,234 tokens"), with the prompt/completion split as a tooltip and for screen readers.
 *
 * @selector [data-slot=usage-badge]
 * @selector [data-size=md] - the size in effect
 *
 * @example
 * <UsageBadge usage={message.usage} />
 */
export function UsageBadge({ usage, size, className, ...props }: UsageBadgeProps) {
  const labels = useLabels();
  if (!usage) return null;
  const detail = labels.usageDetail(usage.promptTokens, usage.completionTokens);
  return (
    <span
      data-slot="usage-badge"
      data-size={size ?? 'sm'}
      title={detail}
      {...props}
      className={cn(usageBadgeVariants({ size }), className)}
    >
      {labels.usage(usage.totalTokens)}
      <span className="sr-only"> ({detail})</span>
    </span>
  );
}
