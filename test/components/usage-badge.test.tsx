import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ChatProvider, UsageBadge } from 'colloquy';

const usage = { promptTokens: 1_000, completionTokens: 234, totalTokens: 1_234 };

describe('UsageBadge', () => {
  it('renders nothing when the message has no usage', () => {
    const { container } = render(<UsageBadge usage={undefined} />);
    expect(container).toBeEmptyDOMElement();
  });

  it('shows the total, with the prompt/completion split as a tooltip and for screen readers', () => {
    render(<UsageBadge usage={usage} />);
    const badge = screen.getByTitle('1,000 prompt + 234 completion tokens');
    expect(badge).toHaveAttribute('data-slot', 'usage-badge');
    expect(badge).toHaveTextContent(/^1,234 tokens/);
    expect(badge).toHaveTextContent('(1,000 prompt + 234 completion tokens)');
  });

  it('follows labels and the size variant; className wins', () => {
    render(
      <ChatProvider labels={{ usage: (total) => `${total} jetons`, usageDetail: (p, c) => `${p} + ${c}` }}>
        <UsageBadge usage={usage} size="md" className="text-xs" />
      </ChatProvider>,
    );
    const badge = screen.getByTitle('1000 + 234');
    expect(badge).toHaveTextContent(/^1234 jetons/);
    expect(badge).toHaveAttribute('data-size', 'md');
    expect(badge).toHaveClass('px-2', 'text-xs');
    expect(badge).not.toHaveClass('text-sm');
  });
});
