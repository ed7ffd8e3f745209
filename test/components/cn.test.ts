import { describe, expect, it } from 'vitest';
import { cn } from 'colloquy';

describe('cn', () => {
  it.each([
    ['rounded-bubble', 'rounded-none', 'rounded-none'],
    ['rounded-control', 'rounded-full', 'rounded-full'],
    ['font-chat', 'font-serif', 'font-serif'],
    ['animate-caret', 'animate-none', 'animate-none'],
    ['bg-user', 'bg-transparent', 'bg-transparent'],
    ['text-muted-foreground', 'text-danger', 'text-danger'],
  ])('lets a later %s be replaced by %s', (kit, user, expected) => {
    expect(cn(kit, user)).toBe(expected);
  });

  it('keeps classes of different groups', () => {
    expect(cn('text-sm', 'text-muted-foreground')).toBe('text-sm text-muted-foreground');
  });
});
