import type { ComponentProps } from 'react';
import { cn } from './cn.js';

/**
 * Text for screen readers only: present in the accessibility tree, invisible on screen.
 * @selector [data-slot=visually-hidden]
 */
export function VisuallyHidden({ className, ...props }: ComponentProps<'span'>) {
  return <span data-slot="visually-hidden" className={cn('sr-only', className)} {...props} />;
}
