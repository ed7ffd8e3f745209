import { describe, expect, it } from 'vitest';
import { conversationTitle } from '../../src/core/index.js';
import { deriveTitle } from '../../src/server/conversation-store.js';
import { createMemoryConversationStore } from '../../src/server/memory-conversation-store.js';
import { describeConversationStore } from './conversation-store.contract.js';

describeConversationStore('memory', () => createMemoryConversationStore());

describe('createMemoryConversationStore', () => {
  it('uses the injected id generator', async () => {
    let n = 0;
    const store = createMemoryConversationStore({ generateId: () => `gen-${++n}` });
    const { conversation } = await store.createConversation('alice', { now: new Date(0) });
    expect(conversation.id).toBe('gen-1');
  });

  it('pages a 5,000-message conversation in O(limit) per page', async () => {
    const store = createMemoryConversationStore();
    await store.createConversation('alice', { id: 'c1', now: new Date(0) });
    for (let i = 0; i < 5000; i++) await store.insertUserMessage('alice', 'c1', { id: `m${i}`, parts: [] }, new Date(i));
    const started = performance.now();
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.listMessages('alice', 'c1', { cursor, limit: 200 });
      ids.unshift(...page.messages.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    const pagingMs = performance.now() - started;
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, i) => `m${i}`));
    // Generous bound: a slice per page takes about a millisecond here; a scan or sort per page would take far longer.
    expect(pagingMs).toBeLessThan(1000);
  });
});

describe('deriveTitle', () => {
  it('collapses whitespace and keeps short text whole', () => {
    expect(deriveTitle('  What is\n\n\tSSE?  ')).toBe('What is SSE?');
    expect(deriveTitle('x'.repeat(60))).toBe('x'.repeat(60));
  });

  it('is the default title for empty or blank text', () => {
    expect(deriveTitle('')).toBe('New conversation');
    expect(deriveTitle(' \n\t ')).toBe('New conversation');
  });

  it('cuts at 60 code points on a word boundary with an ellipsis', () => {
    const text = 'Please explain how server-sent events differ from WebSockets when behind a corporate proxy';
    expect(deriveTitle(text)).toBe('Please explain how server-sent events differ from WebSockets…');
    // The 61st character is the space after a whole word: the word stays.
    expect(deriveTitle(`${'a'.repeat(60)} tail`)).toBe(`${'a'.repeat(60)}…`);
    expect(deriveTitle('y'.repeat(100))).toBe(`${'y'.repeat(60)}…`);
    // Code points, not UTF-16 units: 70 emoji are 70 characters, never a split surrogate.
    expect(deriveTitle('😀'.repeat(70))).toBe(`${'😀'.repeat(60)}…`);
  });

  it('is the client’s optimistic title, so a title never changes on reload', () => {
    const text = ` ${'word '.repeat(30)}`;
    expect(deriveTitle(text)).toBe(conversationTitle(text));
  });
});
