import type { Meta, StoryObj } from '@storybook/react-vite';
import { UsageBadge } from 'colloquy';

const meta = {
  title: 'Parts/UsageBadge',
  component: UsageBadge,
  args: { usage: { promptTokens: 1_024, completionTokens: 310, totalTokens: 1_334 } },
} satisfies Meta<typeof UsageBadge>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Hover for the prompt/completion split. */
export const Small: Story = { name: 'Small (default)' };

export const Medium: Story = { args: { size: 'md' } };

/** Without usage the badge renders nothing: this story is intentionally empty. */
export const NoUsage: Story = { name: 'No usage – renders nothing', args: { usage: undefined } };
