'use client';
export * from './chat-provider.js';
export * from './use-chat.js';
export type * from './labels.js';
export * from './frame-batched-store.js';
export * from './use-countdown.js';
export * from './use-conversations.js';
export * from './use-conversation-chat.js';
