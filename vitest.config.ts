import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.js';

export default defineConfig((env) =>
  mergeConfig(viteConfig(env), {
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: 'node',
            environment: 'node',
            include: ['test/core/**/*.test.ts', 'test/mocks/**/*.test.ts', 'test/conformance/**/*.test.ts', 'test/server/**/*.test.ts'],
          },
        },
        {
          extends: true,
          test: {
            name: 'dom',
            environment: 'jsdom',
            include: ['test/react/**/*.test.{ts,tsx}', 'test/components/**/*.test.{ts,tsx}'],
            setupFiles: ['test/setup/dom.ts'],
          },
        },
        {
          // Every story is a test in Debian's Chromium: it renders, its play function runs, axe must pass.
          // Run it alone with `npm run test:stories`; the two projects above never start a browser.
          extends: true,
          plugins: [
            storybookTest({
              configDir: '.storybook',
              // The same viewport for every story unless it picks another (`globals: { viewport: { value: 'mobile' } }`).
              initialGlobals: { viewport: { value: 'desktop', isRotated: false } },
            }),
          ],
          test: {
            name: 'storybook',
            browser: {
              enabled: true,
              headless: true,
              // The first run optimises dependencies before the page connects; on 2 busy cores that can pass 60 s.
              connectTimeout: 180_000,
              viewport: { width: 1280, height: 800 },
              instances: [{ browser: 'chromium' }],
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
                  ],
                },
              }),
            },
          },
        },
      ],
    },
  }),
);
