/**
 * The cookie that names this browser's anonymous owner of conversations: a random id set by proxy.ts, unguessable,
 * HTTP-only. It stands in for a sign-in; a real app's `authorize` returns the user id from its session instead.
 */
export const OWNER_COOKIE = 'colloquy-owner';
