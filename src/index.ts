'use client';
/**
 * colloquy: everything that runs in the browser. The headless core, the React bindings and the styled components.
 * Server handlers live in `colloquy/server`, mocks in `colloquy/mocks`.
 */
export * from './core/index.js';
export * from './react/index.js';
export * from './components/index.js';
