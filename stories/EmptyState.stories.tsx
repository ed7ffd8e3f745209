import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, fn, userEvent, within } from 'storybook/test';
import { EmptyState } from 'colloquy';

function SparkIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width="32" height="32" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round">
      <path d="M12 3l2.2 6.8L21 12l-6.8 2.2L12 21l-2.2-6.8L3 12l6.8-2.2z" />
    </svg>
  );
}

const meta = {
  title: 'Parts/EmptyState',
  component: EmptyState,
  args: { onPromptSelect: fn() },
} satisfies Meta<typeof EmptyState>;

export default meta;
type Story = StoryObj<typeof meta>;

export const Plain: Story = {};

export const WithStarterPrompts: Story = {
  name: 'With starter prompts',
  args: {
    icon: <SparkIcon />,
    welcomeMessage: 'Ask about your account, billing or the API.',
    starterPrompts: ['How do I rotate my API key?', 'Explain my last invoice', 'Write a curl example for streaming'],
  },
  play: async ({ args, canvasElement }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Explain my last invoice' }));
    await expect(args.onPromptSelect).toHaveBeenCalledWith('Explain my last invoice');
  },
};

export const StartAligned: Story = {
  name: 'Start-aligned',
  args: { align: 'start', title: 'Ask Ada', starterPrompts: ['Summarise this page', 'What changed in v2?'] },
};
