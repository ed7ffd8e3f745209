import { clsx, type ClassValue } from 'clsx';
import { extendTailwindMerge } from 'tailwind-merge';

/** tailwind-merge taught colloquy's own theme keys, so `rounded-none` really replaces `rounded-bubble`. */
const twMerge = extendTailwindMerge({
  extend: {
    theme: {
      radius: ['bubble', 'control'],
      font: ['chat', 'code'],
      animate: ['caret', 'typing'],
    },
  },
});

/** Joins class names and lets later Tailwind classes win, so a user's `className` overrides the kit's. */
export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}
