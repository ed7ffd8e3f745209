import { render, screen, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChatProvider, Markdown, preloadMarkdown } from 'colloquy';

// Markdown loads on demand; these tests are about what it renders, so it is there before the first one.
beforeAll(async () => {
  expect(await preloadMarkdown()).toBe(true);
});

function renderMarkdown(text: string, imageAllowlist?: string[]) {
  return render(<Markdown text={text} imageAllowlist={imageAllowlist} />);
}

describe('Markdown', () => {
  it('renders paragraphs, headings and inline emphasis', () => {
    const { container } = renderMarkdown('# Title\n\n## Sub\n\n### Third\n\nSome *em*, **strong**, ~~gone~~ and `code()`.');
    expect(screen.getByRole('heading', { level: 1, name: 'Title' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 2, name: 'Sub' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 3, name: 'Third' })).toBeInTheDocument();
    const paragraph = container.querySelector('p')!;
    expect(paragraph).toHaveTextContent('Some em, strong, gone and code().');
    expect(paragraph.querySelector('em')).toHaveTextContent('em');
    expect(paragraph.querySelector('strong')).toHaveTextContent('strong');
    expect(paragraph.querySelector('del')).toHaveTextContent('gone');
    expect(paragraph.querySelector('code')).toHaveTextContent('code()');
  });

  it('renders setext headings and a thematic break', () => {
    renderMarkdown('Big\n===\n\nabove\n\n---\n\nbelow');
    expect(screen.getByRole('heading', { level: 1, name: 'Big' })).toBeInTheDocument();
    expect(screen.getByRole('separator')).toBeInTheDocument();
  });

  it('renders fenced and indented code as code blocks with their language', () => {
    const { container } = renderMarkdown('```python title="x.py"\nprint("<b>hi</b>")\n```\n\n    indented();\n');
    const blocks = container.querySelectorAll('[data-slot=code-block]');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toHaveAttribute('data-language', 'python');
    expect(blocks[0]!.querySelector('pre code')).toHaveTextContent('print("<b>hi</b>")');
    expect(blocks[0]!.querySelector('b')).toBeNull();
    expect(blocks[1]).toHaveAttribute('data-language', 'text');
    expect(blocks[1]!.querySelector('code')!.textContent).toBe('indented();');
    expect(screen.getByRole('group', { name: 'Code: python' })).toBeInTheDocument();
  });

  it('renders block quotes', () => {
    const { container } = renderMarkdown('> quoted **text**\n>\n> second');
    const quote = container.querySelector('blockquote')!;
    expect(quote.querySelectorAll('p')).toHaveLength(2);
    expect(quote.querySelector('strong')).toHaveTextContent('text');
  });

  it('renders unordered, ordered and nested lists', () => {
    renderMarkdown('- one\n- two\n  1. inner\n\n3. three\n4. four');
    const lists = screen.getAllByRole('list');
    expect(lists).toHaveLength(3);
    expect(lists[0]!.tagName).toBe('UL');
    expect(within(lists[0]!).getAllByRole('listitem')).toHaveLength(3);
    expect(lists[1]!.tagName).toBe('OL');
    const outerOrdered = lists[2]!;
    expect(outerOrdered.tagName).toBe('OL');
    expect(outerOrdered).toHaveAttribute('start', '3');
    expect(within(outerOrdered).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['three', 'four']);
  });

  it('renders loose lists with paragraphs', () => {
    const { container } = renderMarkdown('- a\n\n- b');
    expect(container.querySelectorAll('li > p')).toHaveLength(2);
  });

  it('renders task lists as read-only checkboxes named by their item', () => {
    renderMarkdown('- [x] done\n- [ ] todo');
    const done = screen.getByRole('checkbox', { name: 'done' });
    const todo = screen.getByRole('checkbox', { name: 'todo' });
    expect(done).toBeChecked();
    expect(done).toBeDisabled();
    expect(todo).not.toBeChecked();
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
  });

  it('renders GFM tables with header cells and alignment', () => {
    renderMarkdown('| Left | Center | Right |\n|:-----|:------:|------:|\n| a | **b** | c |\n| d | e | f |');
    const table = screen.getByRole('table');
    const headers = within(table).getAllByRole('columnheader');
    expect(headers.map((cell) => cell.textContent)).toEqual(['Left', 'Center', 'Right']);
    expect(headers[1]).toHaveClass('text-center');
    const cells = within(table).getAllByRole('cell');
    expect(cells).toHaveLength(6);
    expect(cells[2]).toHaveClass('text-right');
    expect(cells[1]!.querySelector('strong')).toHaveTextContent('b');
    expect(screen.getByRole('group', { name: 'Table' })).toHaveAttribute('tabindex', '0');
  });

  it('renders hard line breaks and keeps escapes literal', () => {
    const { container } = renderMarkdown('line one  \nline two\\\nline three\n\n\\*not em\\* \\# \\[x\\](y)');
    expect(container.querySelectorAll('br')).toHaveLength(2);
    expect(container.querySelector('em')).toBeNull();
    expect(screen.getByText('*not em* # [x](y)')).toBeInTheDocument();
  });

  it('decodes character references in text but not in code', () => {
    renderMarkdown('a &amp; b &copy; &#x263A; &#38;amp; &unknownentity; `&amp;`');
    const paragraph = screen.getByText(/^a & b/);
    expect(paragraph.textContent).toBe('a & b © ☺ &amp; &unknownentity; &amp;');
  });

  it('renders links that open in a new tab without referrer', () => {
    renderMarkdown('[docs](https://example.com/docs "The docs") and [mail](mailto:hi@example.com) and [plain](http://example.com)');
    const docs = screen.getByRole('link', { name: 'docs' });
    expect(docs).toHaveAttribute('href', 'https://example.com/docs');
    expect(docs).toHaveAttribute('title', 'The docs');
    expect(docs).toHaveAttribute('target', '_blank');
    expect(docs).toHaveAttribute('rel', 'noopener noreferrer nofollow');
    expect(screen.getByRole('link', { name: 'mail' })).toHaveAttribute('href', 'mailto:hi@example.com');
    expect(screen.getByRole('link', { name: 'plain' })).toHaveAttribute('href', 'http://example.com/');
  });

  it('links autolinks, bare URLs, www. URLs and e-mail addresses', () => {
    renderMarkdown('<https://a.example/x?y=1&z=2> https://b.example/path_(x) www.c.example and d@example.com.');
    expect(screen.getByRole('link', { name: 'https://a.example/x?y=1&z=2' })).toHaveAttribute('href', 'https://a.example/x?y=1&z=2');
    expect(screen.getByRole('link', { name: 'https://b.example/path_(x)' })).toHaveAttribute('href', 'https://b.example/path_(x)');
    expect(screen.getByRole('link', { name: 'www.c.example' })).toHaveAttribute('href', 'http://www.c.example/');
    expect(screen.getByRole('link', { name: 'd@example.com' })).toHaveAttribute('href', 'mailto:d@example.com');
  });

  it('resolves reference-style links', () => {
    renderMarkdown('See [the docs][d].\n\n[d]: https://example.com/ref');
    expect(screen.getByRole('link', { name: 'the docs' })).toHaveAttribute('href', 'https://example.com/ref');
  });

  it.each([
    ['javascript:', '[click](javascript:alert(1))'],
    ['mixed case', '[click](JaVaScRiPt:alert(1))'],
    ['an entity-hidden tab', '[click](java&#x09;script:alert(1))'],
    ['vbscript:', '[click](vbscript:msgbox(1))'],
    ['data:', '[click](data:text/html;base64,PHNjcmlwdD4=)'],
    ['a relative path', '[click](/logout)'],
    ['a fragment', '[click](#top)'],
    ['a protocol-relative URL', '[click](//evil.example/x)'],
  ])('renders a link to %s as its text only', (_name, source) => {
    const { container } = renderMarkdown(source);
    expect(screen.queryByRole('link')).toBeNull();
    expect(container.querySelector('[href]')).toBeNull();
    expect(screen.getByText('click')).toBeInTheDocument();
  });

  it('shows raw HTML as literal text, never as elements', () => {
    const { container } = renderMarkdown('Hi <b onclick="x()">bold</b>\n\n<div class="x">\nblock\n</div>');
    expect(container.querySelector('b, div.x')).toBeNull();
    expect(container).toHaveTextContent('Hi <b onclick="x()">bold</b>');
    expect(container).toHaveTextContent('<div class="x"> block </div>');
  });

  describe('images', () => {
    it('are not loaded by default: a placeholder shows the alt text', () => {
      const { container } = renderMarkdown('![A cat](https://cdn.example.com/cat.png)');
      expect(container.querySelector('img')).toBeNull();
      expect(screen.getByText('Image not loaded: A cat')).toBeInTheDocument();
    });

    it('load from an allowlisted origin, lazily and without referrer', () => {
      renderMarkdown('![A cat](https://cdn.example.com/cat.png "Title")', ['https://cdn.example.com']);
      const image = screen.getByRole('img', { name: 'A cat' });
      expect(image).toHaveAttribute('src', 'https://cdn.example.com/cat.png');
      expect(image).toHaveAttribute('loading', 'lazy');
      expect(image).toHaveAttribute('referrerpolicy', 'no-referrer');
      expect(image).toHaveAttribute('title', 'Title');
    });

    it.each([
      'https://cdn.example.com.evil.com/cat.png',
      'http://cdn.example.com/cat.png',
      'https://cdn.example.com:8443/cat.png',
      'https://evil.example/cat.png',
      '//cdn.example.com/cat.png',
      '/cat.png',
      'data:image/png;base64,iVBORw0KGgo=',
    ])('stay unloaded from %s even with an allowlist', (src) => {
      const { container } = renderMarkdown(`![A cat](${src})`, ['https://cdn.example.com']);
      expect(container.querySelector('img')).toBeNull();
      expect(screen.getByText('Image not loaded: A cat')).toBeInTheDocument();
    });

    it('ignore allowlist entries that are not http(s) origins', () => {
      const { container } = renderMarkdown('![a](data:image/png;base64,iVBORw0KGgo=) ![b](https://cdn.example.com/b.png)', [
        'data:image/png;base64,iVBORw0KGgo=',
        'null',
        '*',
        'https://cdn.example.com/some/path',
      ]);
      const images = container.querySelectorAll('img');
      expect(images).toHaveLength(1);
      expect(images[0]).toHaveAttribute('src', 'https://cdn.example.com/b.png');
    });

    it('use the placeholder label from ChatProvider', () => {
      render(
        <ChatProvider labels={{ imageBlocked: (alt) => `Bild blockiert: ${alt}` }}>
          <Markdown text="![Katze](https://x.example/k.png)" />
        </ChatProvider>,
      );
      expect(screen.getByText('Bild blockiert: Katze')).toBeInTheDocument();
    });
  });

  it('sets dir=auto on text blocks and keeps code left-to-right', () => {
    const { container } = renderMarkdown('مرحبا بالعالم\n\n- שלום\n\n```\ncode\n```');
    expect(container.querySelector('p')).toHaveAttribute('dir', 'auto');
    expect(container.querySelector('li')).toHaveAttribute('dir', 'auto');
    expect(container.querySelector('pre')).toHaveAttribute('dir', 'ltr');
  });

  it('puts trailing content inline after the last word, or after a trailing code block', () => {
    const caret = <span data-testid="trailing" />;
    const { container, rerender } = render(<Markdown text={'First\n\n- a\n- b'} trailing={caret} />);
    expect(screen.getByTestId('trailing').parentElement).toBe(container.querySelectorAll('li')[1]);
    rerender(<Markdown text={'First\n\n```js\nx'} trailing={caret} />);
    expect(screen.getByTestId('trailing').parentElement).toHaveAttribute('data-slot', 'markdown');
  });

  describe('while streaming', () => {
    it('renders an unclosed fence as a code block', () => {
      const { container } = renderMarkdown('Here:\n\n```ts\nconst a = 1;\nconst b');
      const block = container.querySelector('[data-slot=code-block]')!;
      expect(block).toHaveAttribute('data-language', 'ts');
      expect(block.querySelector('code')!.textContent).toBe('const a = 1;\nconst b');
    });

    it('renders unclosed emphasis and half tables as text', () => {
      const { container } = renderMarkdown('**bold not closed\n\n| a | b |\n| --');
      expect(container.querySelector('strong, table')).toBeNull();
      expect(container).toHaveTextContent('**bold not closed');
    });

    it('renders every prefix of a document without throwing', () => {
      const doc =
        '# T\n\nSome **bold** and [a link](https://example.com).\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n- [x] task\n- item\n\n> quote\n\n```js\nconst x = 1;\n```\n\n![img](https://cdn.example.com/i.png)';
      const { rerender, container } = render(<Markdown text="" />);
      for (let end = 0; end <= doc.length; end++) {
        rerender(<Markdown text={doc.slice(0, end)} />);
      }
      expect(screen.getByRole('table')).toBeInTheDocument();
      expect(container.querySelectorAll('[data-slot=code-block]')).toHaveLength(1);
    });

    it('keeps the DOM of earlier blocks while the last one grows', () => {
      const { container, rerender } = render(<Markdown text={'# Title\n\n```js\nx\n```\n\nGrow'} />);
      const heading = container.querySelector('h1')!;
      const code = container.querySelector('pre')!;
      const paragraph = container.querySelector('p')!;
      rerender(<Markdown text={'# Title\n\n```js\nx\n```\n\nGrowing text'} />);
      rerender(<Markdown text={'# Title\n\n```js\nx\n```\n\nGrowing text\n\nNext block'} />);
      expect(container.querySelector('h1')).toBe(heading);
      expect(container.querySelector('pre')).toBe(code);
      expect(container.querySelector('p')).toBe(paragraph);
      expect(paragraph).toHaveTextContent('Growing text');
    });
  });
});
