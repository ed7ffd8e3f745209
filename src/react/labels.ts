import type { ChatErrorCode } from '../core/index.js';

const RELATIVE_UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['week', 7 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

let englishRelativeTime: Intl.RelativeTimeFormat | undefined;

/** "yesterday", "3 hours ago", "now": the largest whole unit, in English. Pure: `now` comes in. */
function relativeTimeEn(date: Date, now: Date): string {
  const seconds = (date.getTime() - now.getTime()) / 1000;
  const format = (englishRelativeTime ??= new Intl.RelativeTimeFormat('en', { numeric: 'auto' }));
  for (const [unit, size] of RELATIVE_UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  return format.format(0, 'second');
}

/**
 * Every piece of UI text colloquy renders, so an app can translate or reword it in one place
 * (pass a partial object to `ChatProvider`'s `labels`).
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

/** The English defaults. */
export const defaultLabels: ChatLabels = {
  composerPlaceholder: 'Send a message…',
  composerLabel: 'Message',
  send: 'Send',
  stop: 'Stop',
  retry: 'Retry',
  regenerate: 'Regenerate',
  dismiss: 'Dismiss',
  copy: 'Copy',
  copied: 'Copied',
  jumpToLatest: 'Jump to latest',
  messageListLabel: 'Conversation',
  generating: 'Generating response',
  responseComplete: 'Response complete',
  responseStopped: 'Response stopped',
  you: 'You',
  assistant: 'Assistant',
  system: 'System',
  cancelled: 'Stopped',
  failed: 'Not sent',
  interrupted: 'Answer interrupted',
  sending: 'Sending…',
  usage: (total) => `${total.toLocaleString('en-US')} tokens`,
  charactersLeft: (left) => (left === 1 ? '1 character left' : `${left} characters left`),
  charactersOver: (over) => (over === 1 ? '1 character over the limit' : `${over} characters over the limit`),
  rateLimited: (seconds) => `Too many messages. You can send again in ${seconds} s.`,
  finishReason: (reason) =>
    reason === 'length'
      ? 'Answer cut off: length limit'
      : reason === 'content_filter'
        ? 'Answer cut off: content filter'
        : `Answer ended: ${reason}`,
  imageBlocked: (alt) => (alt ? `Image not loaded: ${alt}` : 'Image not loaded'),
  codeBlockLabel: (language) => (language === 'text' ? 'Code' : `Code: ${language}`),
  tableLabel: 'Table',
  emptyTitle: 'How can I help?',
  errorTitles: {
    invalid_input: 'That message could not be sent.',
    message_too_long: 'That message is too long.',
    unauthorized: 'You are not signed in.',
    forbidden: 'You do not have access to this chat.',
    not_found: 'This conversation no longer exists.',
    conflict: 'That message conflicts with one in progress or already saved.',
    rate_limited: 'Too many messages.',
    server_error: 'The server had a problem answering.',
    upstream_unavailable: 'The AI service is unavailable right now.',
    timeout: 'The answer took too long.',
    network: 'The connection was lost.',
    aborted: 'The request was cancelled.',
    bad_response: 'The answer was cut off.',
  },
  checkSignIn: 'Sign in again, or check the API key configured on the server.',
  errorHints: {
    invalid_input: 'Edit your message and send it again.',
    message_too_long: 'Shorten your message and send it again.',
    forbidden: 'Ask the owner of this app for access.',
    not_found: 'Start a new conversation to continue.',
    conflict: 'Reload the conversation, then send your message again.',
  },
  retryIn: (seconds) => `You can send again in ${seconds} s.`,
  canSendAgain: 'You can send again now.',
  usageDetail: (prompt, completion) =>
    `${prompt.toLocaleString('en-US')} prompt + ${completion.toLocaleString('en-US')} completion tokens`,
  starterPrompts: 'Suggestions',
  conversationsLabel: 'Conversations',
  newChat: 'New chat',
  loadingConversations: 'Loading conversations…',
  noConversations: 'No conversations yet.',
  conversationsFailed: 'The conversations could not be loaded.',
  loadMoreConversations: 'Load more',
  renameConversation: (title) => `Rename “${title}”`,
  deleteConversation: (title) => `Delete “${title}”`,
  confirmDelete: (title) => `Delete “${title}”?`,
  cancel: 'Cancel',
  delete: 'Delete',
  conversationTitle: 'Conversation title',
  conversationChangeFailed: (operation) =>
    operation === 'create'
      ? 'The conversation could not be created.'
      : operation === 'rename'
        ? 'The conversation could not be renamed; the old title is back.'
        : 'The conversation could not be deleted; it is back in the list.',
  relativeTime: relativeTimeEn,
  loadingMessages: 'Loading messages…',
  loadOlderMessages: 'Load older messages',
  loadingOlderMessages: 'Loading older messages…',
  olderMessagesFailed: 'Older messages could not be loaded.',
  showConversations: 'Show conversations',
  hideConversations: 'Close conversations',
};
