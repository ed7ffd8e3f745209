import { useChatConfig, type ChatLabels } from '../react/index.js';

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

/** The English defaults: what every component says when no `ChatProvider` overrides it. */
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

// One merged object per overrides object, shared by every component that reads it: stable across renders (and
// instances) for as long as the provider's overrides are, so labels can sit in memo and effect dependencies.
const mergedLabels = new WeakMap<Partial<ChatLabels>, ChatLabels>();

/**
 * The UI text in effect: the nearest `ChatProvider`'s `labels` over {@link defaultLabels}. Returns the same object
 * until the overrides change.
 *
 * @example
 * const labels = useLabels();
 * return <button type="button">{labels.retry}</button>;
 */
export function useLabels(): ChatLabels {
  const overrides = useChatConfig().labels;
  if (!overrides) return defaultLabels;
  let labels = mergedLabels.get(overrides);
  if (!labels) mergedLabels.set(overrides, (labels = { ...defaultLabels, ...overrides }));
  return labels;
}
