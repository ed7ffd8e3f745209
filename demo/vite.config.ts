import { defineConfig, mergeConfig } from 'vite';
import baseConfig from '../vite.config.js';
import { chatApi } from './chat-api-plugin.js';

/**
 * `npm run dev`: the demo page (demo/index.html) on the repository's app config (React, Tailwind, `colloquy/*`
 * aliased to the sources), plus the kit's server handlers on /api/* from demo/server.ts.
 */
export default defineConfig((env) =>
  mergeConfig(baseConfig(env), {
    root: import.meta.dirname,
    publicDir: false,
    plugins: [chatApi()],
    server: { port: 5173 },
  }),
);
