import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig, mergeConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { visualSnapshot } from './test/visual/visual-command.js';
import viteConfig from './vite.config.js';

/**
 * Every story is a test in Debian's Chromium, once per theme: it renders, its play function runs, axe must pass,
 * and its screenshot must match the committed baseline (test/visual/). Run them alone with `npm run test:visual`;
 * the node and dom projects never start a browser.
 */
function storyProject(theme: 'light' | 'dark'): TestProjectInlineConfiguration {
  return {
    extends: true,
    plugins: [
      storybookTest({
        configDir: '.storybook',
        // The same viewport for every story unless it picks another (`globals: { viewport: { value: 'mobile' } }`).
        initialGlobals: { theme, viewport: { value: 'desktop', isRotated: false } },
      }),
    ],
    test: {
      name: `storybook-${theme}`,
      provide: { colloquyTheme: theme },
      setupFiles: ['test/visual/setup.ts'],
      globalSetup: ['test/visual/report.ts'],
      browser: {
        enabled: true,
        headless: true,
        // The first run optimises dependencies before the page connects; on 2 busy cores that can pass 60 s.
        connectTimeout: 180_000,
        viewport: { width: 1280, height: 800 },
        instances: [{ browser: 'chromium' }],
        commands: { visualSnapshot },
        provider: playwright({
          launchOptions: {
            executablePath: '/usr/bin/chromium',
            args: [
              '--no-sandbox',
              '--disable-gpu',
              '--disable-quic',
              '--no-first-run',
              '--disable-background-networking',
              '--disable-component-update',
              '--disable-sync',
              // Same glyph rasterisation on every machine: no LCD subpixel text, no hinting differences.
              '--disable-lcd-text',
              '--font-render-hinting=none',
              '--force-color-profile=srgb',
              '--hide-scrollbars',
            ],
          },
          // Timestamps and number formats in stories must not follow the machine's locale or zone.
          // The page is larger than the largest story viewport, so the runner never scales the story's iframe down.
          contextOptions: {
            viewport: { width: 1600, height: 1000 },
            deviceScaleFactor: 1,
            locale: 'en-US',
            timezoneId: 'UTC',
            colorScheme: 'light',
            reducedMotion: 'reduce',
          },
        }),
      },
    },
  };
}

export default defineConfig((env) =>
  mergeConfig(viteConfig(env), {
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: 'node',
            environment: 'node',
            include: [
              'test/core/**/*.test.ts',
              'test/mocks/**/*.test.ts',
              'test/conformance/**/*.test.ts',
              'test/server/**/*.test.ts',
              'test/reliability/**/*.test.ts',
              'test/security/**/*.test.ts',
            ],
          },
        },
        {
          extends: true,
          test: {
            name: 'dom',
            environment: 'jsdom',
            include: [
              'test/react/**/*.test.{ts,tsx}',
              'test/components/**/*.test.{ts,tsx}',
              'test/reliability/**/*.test.tsx',
              'test/security/**/*.test.tsx',
            ],
            setupFiles: ['test/setup/dom.ts'],
          },
        },
        storyProject('light'),
        storyProject('dark'),
      ],
    },
  }),
);
