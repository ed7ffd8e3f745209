// The `colloquy/mocks` entry: environment-neutral pieces only. `colloquy/mocks/node` and `colloquy/mocks/browser`
// are separate entries so a browser bundle never pulls in msw/node (and the reverse).
export * from './chat-handlers.js';
export * from './chat-request.js';
export * from './error-response.js';
export * from './replies.js';
export * from './sse.js';
export * from './openai-handlers.js';
export * from './history-handlers.js';
export * from './history-db.js';
