import type { Meta, StoryObj } from '@storybook/react-vite';
import { useState } from 'react';
import { expect, fn, userEvent, within } from 'storybook/test';
import { ChatError, Composer, type ComposerProps } from 'colloquy';

/** A fixed clock for the rate-limit stories, so their countdown (and screenshot) never changes. */
const FROZEN_NOW = Date.UTC(2026, 0, 1, 12);
const frozenClock = () => FROZEN_NOW;

/** Owns the text the way `useChat` does, so typing works; a new `value` arg resets it. */
function ControlledComposer(args: ComposerProps) {
  const [value, setValue] = useState(args.value);
  return (
    <Composer
      {...args}
      value={value}
      onValueChange={(text) => {
        setValue(text);
        args.onValueChange(text);
      }}
    />
  );
}

const meta = {
  title: 'Parts/Composer',
  component: Composer,
  args: {
    value: '',
    onValueChange: fn(),
    onSubmit: fn(),
    onStop: fn(),
  },
  render: (args) => <ControlledComposer key={args.value} {...args} />,
  decorators: [
    (Story) => (
      <div style={{ maxWidth: 560 }}>
        <Story />
      </div>
    ),
  ],
} satisfies Meta<typeof Composer>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Nothing typed yet: Send is disabled. Typing then Enter sends (the play function checks it). */
export const Empty: Story = {
  name: 'Empty – type and press Enter',
  play: async ({ args, canvasElement }) => {
    const canvas = within(canvasElement);
    const input = canvas.getByRole('textbox', { name: 'Message' });
    await userEvent.type(input, 'Hello{Shift>}{Enter}{/Shift}there');
    await expect(args.onSubmit).not.toHaveBeenCalled();
    await userEvent.keyboard('{Enter}');
    await expect(args.onSubmit).toHaveBeenCalledWith('Hello\nthere');
    await expect(input).toHaveFocus();
  },
};

export const WithText: Story = {
  name: 'With text',
  args: { value: 'What is the capital of Australia?' },
};

/** The textarea grows with its content up to 12rem, then scrolls. */
export const MultiLineGrown: Story = {
  name: 'Multi-line – grown to its maximum, scrolling',
  args: {
    value: Array.from({ length: 12 }, (_, index) => `Line ${index + 1} of a long, pasted stack trace`).join('\n'),
  },
};

export const Busy: Story = {
  name: 'Busy – Stop visible',
  args: { value: 'My next question, typed while the answer streams', busy: true },
};

export const DisabledWithReason: Story = {
  name: 'Disabled – with reason',
  args: { disabled: true, disabledReason: 'Sign in to start chatting.' },
};

/** The counter appears within 10% of `maxLength`. */
export const NearLimit: Story = {
  name: 'Near the limit – counter',
  args: { maxLength: 200, value: 'A'.repeat(188) },
};

/** Over `maxLength`: Send is disabled and the text is marked invalid, never cut. */
export const OverLimit: Story = {
  name: 'Over the limit – Send disabled',
  args: { maxLength: 200, value: 'A'.repeat(215) },
};

/**
 * Rate-limited for 30 s. The story freezes the clock (`now`), so the text always reads "30 s" and screenshots
 * are stable; in an app the countdown ticks every second (see the live story below).
 */
export const RateLimited: Story = {
  name: 'Rate limited – countdown',
  args: { value: 'I can keep typing while I wait', rateLimitedUntil: FROZEN_NOW + 30_000, now: frozenClock },
};

/** The same with the real clock: counts down from 10 s after the story renders, then Send comes back. Not for screenshots. */
export const RateLimitedLive: Story = {
  name: 'Rate limited – live countdown',
  args: { value: 'Wait for it…' },
  render: function LiveCountdown(args) {
    const [until] = useState(() => Date.now() + 10_000);
    return <ControlledComposer {...args} rateLimitedUntil={until} />;
  },
};

/** The last send was refused (`useChat().refusal`). */
export const WithRefusal: Story = {
  name: 'Refused – message too long',
  args: {
    value: 'A message the server found too long',
    error: new ChatError('message_too_long', 'The message is 5,200 characters; the limit is 4,000.'),
  },
};

export const SmallFlat: Story = {
  name: 'Small, flat',
  args: { size: 'sm', variant: 'flat', value: 'A compact composer for a side panel' },
};
