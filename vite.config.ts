import { resolve } from 'node:path';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

/** The package's public entry points, resolved to source so stories and tests import exactly what users import. */
const publicEntries: Record<string, string> = {
  colloquy: 'src/index.ts',
  'colloquy/core': 'src/core/index.ts',
  'colloquy/react': 'src/react/index.ts',
  'colloquy/server': 'src/server/index.ts',
  'colloquy/mocks': 'mocks/index.ts',
  'colloquy/mocks/node': 'mocks/node.ts',
  'colloquy/mocks/browser': 'mocks/browser.ts',
};

/**
 * One config, two jobs: `vite build --mode lib` emits the package (ESM, one file per public entry, dependencies
 * external); any other mode is the app config Storybook and the demo page extend.
 */
export default defineConfig(({ mode }) => ({
  plugins: [react(), tailwindcss()],
  resolve: {
    alias: Object.entries(publicEntries).map(([name, file]) => ({
      find: new RegExp(`^${name}$`),
      replacement: resolve(root, file),
    })),
  },
  ...(mode === 'lib'
    ? {
        publicDir: false,
        build: {
          outDir: 'dist',
          emptyOutDir: true,
          sourcemap: true,
          minify: false,
          cssCodeSplit: true,
          lib: {
            formats: ['es'],
            entry: {
              index: resolve(root, 'src/index.ts'),
              core: resolve(root, 'src/core/index.ts'),
              react: resolve(root, 'src/react/index.ts'),
              server: resolve(root, 'src/server/index.ts'),
              mocks: resolve(root, 'mocks/index.ts'),
              'mocks-node': resolve(root, 'mocks/node.ts'),
              'mocks-browser': resolve(root, 'mocks/browser.ts'),
              styles: resolve(root, 'src/styles.css'),
            },
          },
          rolldownOptions: {
            // Everything from node_modules stays an import: the app's bundler dedupes React and friends.
            external: (id: string) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
          },
        },
      }
    : {}),
}));
