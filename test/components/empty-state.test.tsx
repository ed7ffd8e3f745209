import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { EmptyState } from 'colloquy';

describe('EmptyState', () => {
  it('shows the default headline and no prompts', () => {
    render(<EmptyState />);
    const title = screen.getByRole('heading', { name: 'How can I help?' });
    expect(title.closest('[data-slot=empty-state]')).toBeInTheDocument();
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('shows a custom title, welcome message and icon', () => {
    render(<EmptyState title="Ask Ada" welcomeMessage="I know the docs by heart." icon={<svg aria-hidden="true" data-testid="logo" />} />);
    expect(screen.getByRole('heading', { name: 'Ask Ada' })).toBeInTheDocument();
    expect(screen.getByText('I know the docs by heart.')).toHaveAttribute('data-slot', 'empty-state-message');
    expect(screen.getByTestId('logo').parentElement).toHaveAttribute('data-slot', 'empty-state-icon');
  });

  it('offers starter prompts as buttons that call onPromptSelect with their text', async () => {
    const user = userEvent.setup();
    const onPromptSelect = vi.fn();
    render(<EmptyState starterPrompts={['Summarise this page', 'Write a haiku']} onPromptSelect={onPromptSelect} />);
    const list = screen.getByRole('list', { name: 'Suggestions' });
    const buttons = within(list).getAllByRole('button');
    expect(buttons.map((button) => button.textContent)).toEqual(['Summarise this page', 'Write a haiku']);
    buttons.forEach((button) => expect(button).toHaveAttribute('type', 'button'));
    await user.click(screen.getByRole('button', { name: 'Write a haiku' }));
    expect(onPromptSelect).toHaveBeenCalledExactlyOnceWith('Write a haiku');
  });

  it('takes align and className', () => {
    const { container } = render(<EmptyState align="start" className="p-2" />);
    const root = container.querySelector('[data-slot=empty-state]')!;
    expect(root).toHaveAttribute('data-align', 'start');
    expect(root).toHaveClass('items-start', 'p-2');
    expect(root).not.toHaveClass('p-6');
  });
});
