import type { Decorator, Preview } from '@storybook/react-vite';
import { preloadMarkdown } from 'colloquy';
import { chatHandlers } from 'colloquy/mocks';
import { ChatProvider } from 'colloquy/react';
import { setupWorker } from 'msw/browser';
import { mswLoader } from 'msw-storybook-addon/csf3';
import '../src/styles.css';

type Theme = 'light' | 'dark';

function isTheme(value: unknown): value is Theme {
  return value === 'light' || value === 'dark';
}

/**
 * Animations off under Vitest (story tests, visual tests) or on demand (`?motion=off` in the URL, or the Motion
 * toolbar), so the caret and typing dots cannot make two runs differ. Storybook forwards the manager's custom query
 * parameters to the preview iframe, so `?path=/story/…&motion=off` reaches `location.search` here.
 */
function motionOff(globalMotion: unknown): boolean {
  if (import.meta.env.MODE === 'test' || globalMotion === 'off') return true;
  return typeof location !== 'undefined' && new URLSearchParams(location.search).get('motion') === 'off';
}

/**
 * Wraps every story in the chosen theme. `parameters.theme` (a story that only makes sense in one theme) wins over
 * the toolbar's `globals.theme`. The theme is also set on `<html>` so portals and the padded body follow, and a
 * `ChatProvider` passes it to any `ChatRoot` below, which otherwise resolves `system` on its own; a story's own
 * provider or an explicit `theme` prop still overrides it.
 */
const withTheme: Decorator = (Story, context) => {
  const forced: unknown = context.parameters['theme'];
  const wanted: unknown = context.globals['theme'];
  const theme: Theme = isTheme(forced) ? forced : isTheme(wanted) ? wanted : 'light';
  const motion = motionOff(context.globals['motion']) ? 'off' : undefined;
  const root = document.documentElement;
  root.dataset['theme'] = theme;
  if (motion === undefined) delete root.dataset['motion'];
  else root.dataset['motion'] = motion;
  const isStoryView = context.viewMode === 'story';
  // In a story, the padded layout's 1rem around the wrapper would otherwise stay white in dark mode; docs pages
  // keep Storybook's own background (the same iframe can go from one to the other).
  document.body.style.background = isStoryView ? 'var(--color-background)' : '';
  const layout: unknown = context.parameters['layout'];
  const minHeight = !isStoryView ? undefined : layout === 'fullscreen' ? '100vh' : layout === 'padded' ? 'calc(100vh - 2rem)' : undefined;

  return (
    <div
      data-theme={theme}
      data-motion={motion}
      // Inline token references rather than utility classes: src/styles.css only generates the utilities that
      // src/components uses, so a class written only here could be silently missing.
      className="bg-background text-foreground font-chat"
      style={{
        background: 'var(--color-background)',
        color: 'var(--color-foreground)',
        fontFamily: 'var(--font-chat)',
        minHeight,
      }}
    >
      <ChatProvider theme={theme}>
        <Story />
      </ChatProvider>
    </div>
  );
};

/**
 * Autodocs show a component's TSDoc. react-docgen hands it over with its tags as plain text, so `@selector` lines
 * would run into the prose: list them as the component's styling hooks, and show `@example` as code.
 */
function describeComponent(component: unknown): string | null {
  const docgen = (component as { __docgenInfo?: { description?: unknown } } | null | undefined)?.__docgenInfo;
  const raw = docgen?.description;
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  const [prose = '', ...tags] = raw.split(/\n(?=@\w)/);
  const selectors: string[] = [];
  const examples: string[] = [];
  const rest: string[] = [];
  for (const tag of tags) {
    const [, name = '', body = ''] = /^@(\w+)\s*([\s\S]*)$/.exec(tag) ?? [];
    if (name === 'selector') {
      const [head = '', ...description] = body.replace(/\s+/g, ' ').trim().split(/\s+-\s+|(?<=\])\s+(?=[a-z`(])/);
      selectors.push(`- \`${head}\`${description.length > 0 ? ` ${description.join(' ')}` : ''}`);
    } else if (name === 'example') examples.push(`\`\`\`tsx\n${body.trim()}\n\`\`\``);
    else if (name === 'see') rest.push(`See ${body.trim()}.`);
  }
  return [
    prose.trim(),
    selectors.length > 0 ? `**Styling hooks**\n\n${selectors.join('\n')}` : '',
    ...examples,
    ...rest,
  ]
    .filter(Boolean)
    .join('\n\n');
}

const preview: Preview = {
  tags: ['autodocs'],
  loaders: [
    mswLoader(async () => {
      // The protocol's default endpoints answer any story that does not script its own; a story's
      // `parameters.msw.handlers` come first (the addon `use()`s them per story and resets them after).
      const worker = setupWorker(...chatHandlers);
      await worker.start({
        quiet: true,
        onUnhandledRequest: 'bypass',
        // Relative, so it resolves next to iframe.html: `storybook dev`, the static build served from a subpath,
        // and the Vitest browser runner (which serves public/ at its root) all find it.
        serviceWorker: { url: './mockServiceWorker.js' },
      });
      return worker;
    }),
    // Markdown loads on demand in apps; here every story renders it from its first frame, as its baseline shows.
    async () => {
      if (!(await preloadMarkdown())) throw new Error('The markdown renderer failed to load');
      return {};
    },
  ],
  decorators: [withTheme],
  globalTypes: {
    theme: {
      description: 'Colour theme of the components',
      toolbar: {
        title: 'Theme',
        icon: 'mirror',
        items: [
          { value: 'light', title: 'Light', icon: 'sun' },
          { value: 'dark', title: 'Dark', icon: 'moon' },
        ],
        dynamicTitle: true,
      },
    },
    motion: {
      description: 'Animations (caret blink, typing dots); off is what the story tests see',
      toolbar: {
        title: 'Motion',
        icon: 'play',
        items: [
          { value: 'on', title: 'Motion on', icon: 'play' },
          { value: 'off', title: 'Motion off', icon: 'stop' },
        ],
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: {
    theme: 'light',
    motion: 'on',
  },
  parameters: {
    layout: 'padded',
    options: {
      storySort: { order: ['Introduction', 'Theming', 'Protocol', '*'] },
    },
    docs: { extractComponentDescription: describeComponent },
    controls: {
      matchers: { color: /(background|color)$/i, date: /Date$/i },
    },
    viewport: {
      options: {
        mobile: { name: 'Mobile', styles: { width: '375px', height: '667px' }, type: 'mobile' },
        tablet: { name: 'Tablet', styles: { width: '768px', height: '1024px' }, type: 'tablet' },
        desktop: { name: 'Desktop', styles: { width: '1280px', height: '800px' }, type: 'desktop' },
      },
    },
    a11y: {
      // Any axe violation fails the story's test (the addon's default, 'todo', only warns).
      // A story can opt out while a fix is pending with `parameters: { a11y: { test: 'todo' } }`.
      test: 'error',
    },
  },
};

export default preview;
