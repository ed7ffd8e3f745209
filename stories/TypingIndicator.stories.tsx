import type { Meta, StoryObj } from '@storybook/react-vite';
import { TypingIndicator } from 'colloquy';

const meta = {
  title: 'Parts/TypingIndicator',
  component: TypingIndicator,
} satisfies Meta<typeof TypingIndicator>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Silent for screen readers: the message list announces "Generating response". Dots stop with Motion off. */
export const Default: Story = {};

export const Small: Story = { args: { size: 'sm' } };

/** Standalone use, where no message list announces the state. */
export const Announced: Story = { name: 'Announced – status region', args: { announce: true } };
