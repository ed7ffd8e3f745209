import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, within } from 'storybook/test';
import { MessageContent, type MessagePart } from 'colloquy';

const done = (text: string): MessagePart => ({ type: 'text', text, state: 'done' });

const showcase = `# Heading one
## Heading two
### Heading three

A paragraph with *emphasis*, **strong text**, ~~struck text~~, \`inline code\` and a [link](https://example.com/docs "Docs").
A hard line break follows.  
Bare URL: https://example.com/path_(with)_parens, e-mail: help@example.com, escaped \\*asterisks\\*, entities &copy; &amp; &#x263A;.

> A block quote with **markdown** inside.
>
> > And a nested one.

- Unordered item
- Another item
  - Nested item
  - Second nested item

3. Ordered, starting at three
4. Four

- [x] Done task
- [ ] Open task

| Left | Center | Right |
| :--- | :----: | ----: |
| apples | 3 | $1.20 |
| a much longer cell value | **bold** | \`code\` |

---

\`\`\`ts
export function greet(name: string): string {
  return \`Hello, \${name}!\`;
}
\`\`\`

Raw HTML stays visible as text: <kbd>Ctrl</kbd> + <kbd>C</kbd>.`;

const codeBlocks = `Python:

\`\`\`python
def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)
\`\`\`

Shell, with a very long line that scrolls inside the block instead of widening the page:

\`\`\`bash
curl -sS -X POST https://api.example.com/v1/chat/completions -H "Authorization: Bearer $API_KEY" -H "Content-Type: application/json" -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'
\`\`\`

JSON:

\`\`\`json
{ "ok": true, "items": [1, 2, 3] }
\`\`\`

No language:

\`\`\`
plain text block
\`\`\``;

const xss = `Links to javascript: render as text: [click me](javascript:alert(1)), [case](JaVaScRiPt:alert(1)), [entity](java&#x09;script:alert(1)), <javascript:alert(1)>, [data](data:text/html,hi), [relative](/logout).

Raw HTML renders as text: <img src=x onerror=alert(1)> <script>alert(1)</script> <a href="javascript:alert(1)">html link</a>

<iframe src="https://evil.example"></iframe>

<svg onload=alert(1)><image href="https://evil.example/x.png"/></svg>

Images are not requested: ![tracking pixel](https://evil.example/pixel.png) ![protocol-relative](//evil.example/x.png)

A safe link still works: [example.com](https://example.com).`;

/** The content of one message: markdown for the assistant, plain text for the user, a caret while streaming. */
const meta = {
  title: 'Parts/MessageContent',
  component: MessageContent,
  args: { role: 'assistant', parts: [done('Hello! How can I help you today?')] },
  decorators: [
    (Story) => (
      <div style={{ maxWidth: '40rem' }}>
        <Story />
      </div>
    ),
  ],
} satisfies Meta<typeof MessageContent>;
export default meta;
type Story = StoryObj<typeof meta>;

/** An assistant answer without any markdown. */
export const PlainText: Story = {};

/** What a user typed: never markdown-rendered, line breaks kept. */
export const UserText: Story = {
  name: 'User text – not markdown, line breaks kept',
  args: { role: 'user', parts: [done('# Not a heading\n**not bold**, <b>not html</b>\n\nSecond paragraph, same bubble.')] },
};

/** Every markdown feature the renderer supports. */
export const MarkdownShowcase: Story = {
  name: 'Markdown – every feature',
  args: { parts: [done(showcase)] },
};

/** Several languages, one line far wider than the message. */
export const CodeBlocks: Story = {
  name: 'Code blocks – languages and a very long line',
  args: { parts: [done(codeBlocks)] },
};

/** A text part still receiving tokens: the caret follows the last word. */
export const Streaming: Story = {
  name: 'Streaming – caret after the text',
  args: { parts: [{ type: 'text', text: 'The capital of France is **Paris**. It has been the capital since', state: 'streaming' }] },
};

/** Mid-stream, an unclosed fence: the code block renders as far as it goes. */
export const StreamingUnclosedFence: Story = {
  name: 'Streaming – incomplete markdown (unclosed fence)',
  args: {
    parts: [{ type: 'text', text: 'Here is the function:\n\n```ts\nexport function add(a: number, b: number) {\n  return a +', state: 'streaming' }],
  },
};

/** Images load only from allowlisted origins; this one is not, so it is a placeholder and is never requested. */
export const BlockedImage: Story = {
  name: 'Image – blocked (not allowlisted)',
  args: { parts: [done('Here is the chart:\n\n![Quarterly revenue chart](https://images.example.com/chart.png)')] },
  play: async ({ canvasElement }) => {
    await expect(canvasElement.querySelector('img')).toBeNull();
    await expect(within(canvasElement).getByText('Image not loaded: Quarterly revenue chart')).toBeVisible();
  },
};

/** Hostile model output: everything renders as inert text or placeholders. */
export const XssAttempts: Story = {
  name: 'XSS attempts – rendered inert',
  args: { parts: [done(xss)] },
  play: async ({ canvasElement }) => {
    const active = canvasElement.querySelectorAll('script, iframe, object, embed, form, img, svg, video, audio, link, meta, style');
    await expect(active).toHaveLength(0);
    const links = within(canvasElement).getAllByRole('link');
    await expect(links.map((link) => link.getAttribute('href'))).toEqual(['https://example.com/']);
  },
};

/** Right-to-left text: each block takes its direction from its own text. */
export const RightToLeft: Story = {
  name: 'Right-to-left – Arabic and Hebrew',
  args: {
    parts: [
      done(
        'مرحبا! هذه فقرة باللغة العربية مع **نص عريض** ورابط [مثال](https://example.com).\n\n- عنصر أول\n- عنصر ثان\n\nשלום! זו פסקה בעברית.\n\nAn English paragraph between them stays left-to-right.',
      ),
    ],
  },
};

/** Unbroken words and URLs wrap instead of overflowing the message. */
export const LongWordsAndUrls: Story = {
  name: 'Long words and URLs wrap',
  args: {
    parts: [
      done(
        `Supercalifragilisticexpialidocious${'-and-more'.repeat(12)}\n\nhttps://example.com/a/very/long/path/${'segment/'.repeat(20)}?query=${'x'.repeat(60)}\n\n\`${'inline_code_'.repeat(12)}\``,
      ),
    ],
  },
};

/** Parts of types this version does not know (reasoning, tool calls from a newer server) render nothing. */
export const UnknownParts: Story = {
  name: 'Unknown part types – render nothing',
  args: { parts: [{ type: 'reasoning', text: 'hidden' }, done('Only this text part is shown.'), { type: 'tool-call', name: 'search' }] },
};
