import type { ChatErrorCode } from '../core/index.js';

/**
 * Every piece of UI text colloquy renders, so an app can translate or reword it in one place
 * (pass a partial object to `ChatProvider`'s `labels`). The type lives with the provider that carries the overrides;
 * the English defaults and `useLabels` live with the components that render them (`colloquy`), so the hooks entry
 * ships no UI text.
 */
export interface ChatLabels {
  composerPlaceholder: string;
  composerLabel: string;
  send: string;
  stop: string;
  retry: string;
  regenerate: string;
  dismiss: string;
  copy: string;
  copied: string;
  jumpToLatest: string;
  messageListLabel: string;
  generating: string;
  responseComplete: string;
  responseStopped: string;
  you: string;
  assistant: string;
  system: string;
  cancelled: string;
  failed: string;
  interrupted: string;
  sending: string;
  usage: (totalTokens: number) => string;
  charactersLeft: (left: number) => string;
  charactersOver: (over: number) => string;
  rateLimited: (seconds: number) => string;
  finishReason: (reason: string) => string;
  imageBlocked: (alt: string) => string;
  /** Names a code block's scrollable region for screen readers; `language` is `'text'` when the fence had none. */
  codeBlockLabel: (language: string) => string;
  /** Names a markdown table's scrollable region for screen readers. */
  tableLabel: string;
  emptyTitle: string;
  /** A short headline for each error code; the banner adds the action that fits. */
  errorTitles: Record<ChatErrorCode, string>;
  /** What to do about an `unauthorized` error. */
  checkSignIn: string;
  /** What to do about errors that retrying will not fix, by code (`unauthorized` uses `checkSignIn`). */
  errorHints: Partial<Record<ChatErrorCode, string>>;
  /** The live countdown of a rate-limit banner. */
  retryIn: (seconds: number) => string;
  /** Announced once when a rate limit ends. */
  canSendAgain: string;
  /** The tooltip of a usage badge: how the total splits. */
  usageDetail: (promptTokens: number, completionTokens: number) => string;
  /** The accessible name of an empty state's list of starter prompts. */
  starterPrompts: string;
  /** Names the conversation list (its `nav`) and the mobile drawer that holds it. */
  conversationsLabel: string;
  newChat: string;
  /** Shown while the first page of conversations loads. */
  loadingConversations: string;
  noConversations: string;
  /** The first page of conversations failed to load; Retry offers to load it again. */
  conversationsFailed: string;
  /** Loads the next page of conversations. */
  loadMoreConversations: string;
  /** The accessible names of a conversation's actions; `title` is the conversation's. */
  renameConversation: (title: string) => string;
  deleteConversation: (title: string) => string;
  /** The inline delete confirmation. */
  confirmDelete: (title: string) => string;
  cancel: string;
  delete: string;
  /** Names the inline rename input. */
  conversationTitle: string;
  /** A change the server refused (and that was undone). */
  conversationChangeFailed: (operation: 'create' | 'rename' | 'remove') => string;
  /** How long ago `date` was, relative to `now` ("yesterday", "3 hours ago"). */
  relativeTime: (date: Date, now: Date) => string;
  loadingMessages: string;
  loadOlderMessages: string;
  loadingOlderMessages: string;
  olderMessagesFailed: string;
  /** The button that opens the conversation drawer on small screens, and the one that closes it. */
  showConversations: string;
  hideConversations: string;
}
