import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, within } from 'storybook/test';
import { CodeBlock } from 'colloquy';

/** A fenced code block: language label, copy button, horizontal scroll for long lines. */
const meta = {
  title: 'Parts/CodeBlock',
  component: CodeBlock,
  args: {
    language: 'ts',
    code: 'export function add(a: number, b: number): number {\n  return a + b;\n}',
  },
  decorators: [
    (Story) => (
      <div style={{ maxWidth: '40rem' }}>
        <Story />
      </div>
    ),
  ],
} satisfies Meta<typeof CodeBlock>;
export default meta;
type Story = StoryObj<typeof meta>;

/** TypeScript, the common case. */
export const TypeScript: Story = {};

/** Python keeps its indentation exactly. */
export const Python: Story = {
  args: { language: 'python', code: 'def fib(n: int) -> int:\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)' },
};

/** No language in the fence: labelled `text`. */
export const NoLanguage: Story = {
  name: 'No language – labelled text',
  args: { language: undefined, code: 'Plain preformatted text\n  with its spacing kept.' },
};

/** One line far wider than the block scrolls inside it (focus the block and use the arrow keys). */
export const VeryLongLine: Story = {
  name: 'Very long line – scrolls inside the block',
  args: {
    language: 'bash',
    code: `curl -sS -X POST https://api.example.com/v1/chat/completions -H "Authorization: Bearer $API_KEY" -H "Content-Type: application/json" -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"${'Hello '.repeat(20)}"}]}'`,
  },
};

/** Code that looks like HTML is shown, never parsed. */
export const HtmlAsText: Story = {
  name: 'HTML in code – shown as text',
  args: { language: 'html', code: '<script>alert("not run")</script>\n<img src=x onerror=alert(1)>' },
  play: async ({ canvasElement }) => {
    await expect(canvasElement.querySelector('script, img')).toBeNull();
  },
};

/** A fence info string with junk: the language is sanitised before it reaches `data-language`. */
export const HostileLanguage: Story = {
  name: 'Hostile info string – sanitised language',
  args: { language: '"><img src=x onerror=alert(1)> title="x"', code: 'x' },
};

/** After a click the button says Copied for 2 s (announced politely), or the code is selected if the clipboard is refused. */
export const Copy: Story = {
  name: 'Copy – clicked',
  play: async ({ canvasElement }) => {
    const button = within(canvasElement).getByRole('button', { name: 'Copy' });
    await userEvent.click(button);
    await expect(button).toBeVisible();
  },
};
