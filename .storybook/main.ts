import type { StorybookConfig } from '@storybook/react-vite';

/**
 * Storybook for colloquy. The root `vite.config.ts` is picked up as is (React, Tailwind and the `colloquy/*`
 * aliases to source); its library build only switches on with `--mode lib`, which Storybook never passes.
 */
const config: StorybookConfig = {
  framework: '@storybook/react-vite',
  stories: ['../stories/**/*.mdx', '../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y', '@storybook/addon-vitest', 'msw-storybook-addon'],
  // Serves public/mockServiceWorker.js next to iframe.html, in `storybook dev` and in the static build.
  staticDirs: ['../public'],
  core: { disableTelemetry: true },
  // The preview bundle carries axe and the docs blocks; its size is not what users download.
  viteFinal: (viteConfig) => ({ ...viteConfig, build: { ...viteConfig.build, chunkSizeWarningLimit: 2048 } }),
  typescript: {
    // react-docgen (the default) reads the TSX directly and is several times faster than react-docgen-typescript.
    reactDocgen: 'react-docgen',
  },
};

export default config;
