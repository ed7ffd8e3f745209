import { cva, type VariantProps } from 'class-variance-authority';
import type { ComponentProps, ReactNode } from 'react';
import { useLabels } from './labels.js';
import { cn } from './cn.js';

/** Looks of the {@link EmptyState}. */
export const emptyStateVariants = cva('group/empty-state flex flex-col gap-3 p-6 font-chat text-foreground', {
  variants: {
    align: { center: 'items-center text-center', start: 'items-start text-start' },
  },
  defaultVariants: { align: 'center' },
});

/** Props of {@link EmptyState}. */
export interface EmptyStateProps extends Omit<ComponentProps<'div'>, 'title' | 'children'>, VariantProps<typeof emptyStateVariants> {
  /** The headline. @defaultValue labels.emptyTitle */
  title?: ReactNode;
  /** A line of welcome under the headline. */
  welcomeMessage?: ReactNode;
  /** Prompts offered as buttons; each calls `onPromptSelect` with its text. */
  starterPrompts?: readonly string[];
  /** Called with the prompt a user picked (send it, or put it in the composer). */
  onPromptSelect?: (prompt: string) => void;
  /** A logo or illustration above the headline; give decorative SVGs `aria-hidden`. */
  icon?: ReactNode;
}

const promptClass =
  'rounded-control border border-border bg-background px-3 py-2 text-start text-sm text-foreground outline-hidden hover:bg-surface focus-visible:ring-2 focus-visible:ring-ring';

/**
 * What a chat shows before its first message: a headline, an optional welcome and starter prompts.
 *
 * @selector [data-slot=empty-state] - parts: `empty-state-icon`, `empty-state-title`, `empty-state-message`,
 *   `empty-state-prompts`, `empty-state-prompt`
 * @selector [data-align=start] - the alignment in effect
 *
 * @example
 * <EmptyState starterPrompts={['Summarise this page']} onPromptSelect={(prompt) => chat.submit(prompt)} />
 */
export function EmptyState({ title, welcomeMessage, starterPrompts, onPromptSelect, icon, align, className, ...props }: EmptyStateProps) {
  const labels = useLabels();
  return (
    <div data-slot="empty-state" data-align={align ?? 'center'} {...props} className={cn(emptyStateVariants({ align }), className)}>
      {icon ? (
        <div data-slot="empty-state-icon" className="text-muted-foreground">
          {icon}
        </div>
      ) : null}
      <h2 data-slot="empty-state-title" className="text-xl font-semibold">
        {title ?? labels.emptyTitle}
      </h2>
      {welcomeMessage ? (
        <p data-slot="empty-state-message" className="max-w-prose text-muted-foreground">
          {welcomeMessage}
        </p>
      ) : null}
      {starterPrompts && starterPrompts.length > 0 ? (
        <ul data-slot="empty-state-prompts" aria-label={labels.starterPrompts} className="mt-2 flex list-none flex-wrap justify-center gap-2 p-0 group-data-[align=start]/empty-state:justify-start">
          {starterPrompts.map((prompt) => (
            <li key={prompt}>
              <button type="button" data-slot="empty-state-prompt" onClick={() => onPromptSelect?.(prompt)} className={promptClass}>
                {prompt}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
