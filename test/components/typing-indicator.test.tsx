import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TypingIndicator } from 'colloquy';

const root = (container: HTMLElement) => container.querySelector('[data-slot=typing-indicator]')!;

describe('TypingIndicator', () => {
  it('shows three hidden, staggered, animated dots and announces nothing by default', () => {
    const { container } = render(<TypingIndicator />);
    const dots = container.querySelectorAll('[data-slot=typing-indicator-dot]');
    expect(dots).toHaveLength(3);
    dots.forEach((dot) => {
      expect(dot).toHaveAttribute('aria-hidden', 'true');
      expect(dot).toHaveClass('animate-typing');
    });
    expect(new Set([...dots].map((dot) => dot.className)).size).toBe(3);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(root(container)).not.toHaveTextContent('Generating response');
  });

  it('with announce, is a status region saying "Generating response"', () => {
    const { container } = render(<TypingIndicator announce />);
    expect(screen.getByRole('status')).toHaveTextContent('Generating response');
    expect(root(container)).toHaveAttribute('data-announce', '');
  });

  it('takes size and className', () => {
    const { container } = render(<TypingIndicator size="sm" className="text-accent" />);
    expect(root(container)).toHaveAttribute('data-size', 'sm');
    expect(root(container)).toHaveClass('text-accent', 'h-4');
    expect(root(container)).not.toHaveClass('text-muted-foreground');
  });
});
