import { describe, expect, it } from 'vitest';
import { ChatError, chatTransition, initialChatState, messageText, type ChatMessage, type ChatState } from 'colloquy/core';

const AT = '2026-01-01T00:00:00.000Z';
const question: ChatMessage = {
  id: 'u1',
  parentId: null,
  role: 'user',
  parts: [{ type: 'text', text: 'Hi?', state: 'done' }],
  createdAt: AT,
  status: 'pending',
};

function submitted(): ChatState {
  return chatTransition(initialChatState(), { type: 'submit', turnId: 't1', assistantId: 'a1', messages: [question] });
}

function streamed(...tokens: string[]): ChatState {
  return tokens.reduce<ChatState>(
    (state, content) => chatTransition(state, { type: 'delta', turnId: 't1', content, at: AT }),
    submitted(),
  );
}

describe('chatTransition', () => {
  it('submits from idle with the user message pending', () => {
    const state = submitted();
    expect(state).toMatchObject({ status: 'submitting', turnId: 't1', assistantId: 'a1' });
    expect(state.messages).toEqual([question]);
  });

  it('refuses a second submit while busy, returning the same state object', () => {
    const state = submitted();
    expect(chatTransition(state, { type: 'submit', turnId: 't2', assistantId: 'a2', messages: [] })).toBe(state);
  });

  it('creates the answer on the first delta, appends later ones, and marks the question delivered', () => {
    const state = streamed('Hel', 'lo');
    expect(state.status).toBe('streaming');
    const [user, answer] = state.messages;
    expect(user?.status).toBe('complete');
    expect(answer).toMatchObject({ id: 'a1', parentId: 'u1', role: 'assistant', status: 'streaming', createdAt: AT });
    expect(answer?.parts).toEqual([{ type: 'text', text: 'Hello', state: 'streaming' }]);
  });

  it('keeps earlier message objects identical while streaming (rows can skip re-rendering)', () => {
    const before = streamed('a');
    const after = chatTransition(before, { type: 'delta', turnId: 't1', content: 'b', at: AT });
    expect(after.messages[0]).toBe(before.messages[0]);
    expect(after.messages[1]).not.toBe(before.messages[1]);
  });

  it("adopts the server's id for the answer, before or after text arrived, never duplicating it", () => {
    const before = chatTransition(submitted(), { type: 'start', turnId: 't1', messageId: 'srv-1' });
    const streamedAfter = chatTransition(before, { type: 'delta', turnId: 't1', content: 'Hi', at: AT });
    expect(streamedAfter.messages.map((m) => m.id)).toEqual(['u1', 'srv-1']);
    const renamed = chatTransition(streamed('Hi'), { type: 'start', turnId: 't1', messageId: 'srv-2' });
    expect(renamed.messages.map((m) => m.id)).toEqual(['u1', 'srv-2']);
    const more = chatTransition(renamed, { type: 'delta', turnId: 't1', content: '!', at: AT });
    expect(more.messages).toHaveLength(2);
    expect(messageText(more.messages[1]!)).toBe('Hi!');
  });

  it('drops actions of a stale turn', () => {
    const state = streamed('a');
    expect(chatTransition(state, { type: 'delta', turnId: 'old', content: 'x', at: AT })).toBe(state);
    expect(chatTransition(state, { type: 'fail', turnId: 'old', error: new ChatError('network', 'x'), at: AT })).toBe(state);
  });

  it('ignores tokens after stop', () => {
    const stopped = chatTransition(streamed('Hel'), { type: 'stop', turnId: 't1', at: AT });
    expect(stopped.status).toBe('idle');
    expect(chatTransition(stopped, { type: 'delta', turnId: 't1', content: 'lo', at: AT })).toBe(stopped);
    expect(messageText(stopped.messages[1]!)).toBe('Hel');
  });

  it('stop keeps the partial answer marked cancelled with closed parts', () => {
    const stopped = chatTransition(streamed('Hel'), { type: 'stop', turnId: 't1', at: AT });
    expect(stopped.messages[1]).toMatchObject({ status: 'cancelled', parts: [{ text: 'Hel', state: 'done' }] });
  });

  it('stop before any answer marks the question cancelled', () => {
    const stopped = chatTransition(submitted(), { type: 'stop', turnId: 't1', at: AT });
    expect(stopped.messages).toEqual([{ ...question, status: 'cancelled' }]);
  });

  it('finish completes the answer with usage and finish reason', () => {
    let state = streamed('Done');
    state = chatTransition(state, { type: 'usage', turnId: 't1', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 }, at: AT });
    state = chatTransition(state, { type: 'finish', turnId: 't1', finishReason: 'length', at: AT });
    expect(state.status).toBe('idle');
    expect(state.messages[1]).toMatchObject({
      status: 'complete',
      finishReason: 'length',
      usage: { totalTokens: 3 },
      parts: [{ type: 'text', text: 'Done', state: 'done' }],
    });
  });

  it('finish without deltas uses the parts of the final message', () => {
    const parts = [{ type: 'text' as const, text: 'Whole', state: 'done' as const }];
    const state = chatTransition(submitted(), { type: 'finish', turnId: 't1', parts, at: AT });
    expect(state.messages[1]).toMatchObject({ role: 'assistant', status: 'complete', parts });
  });

  it("the server's final copy replaces what streamed, keeping parts of unknown types", () => {
    const chart = { type: 'x-chart', data: [1] };
    const parts = [{ type: 'text' as const, text: 'Whole', state: 'done' as const }, chart];
    const state = chatTransition(streamed('Who'), { type: 'finish', turnId: 't1', parts, at: AT });
    expect(state.messages[1]?.parts).toEqual(parts);
    expect(state.messages[1]?.parts[1]).toBe(chart);
  });

  it('a failure before any answer keeps the question, marked error, beside the error', () => {
    const error = new ChatError('server_error', 'boom');
    const state = chatTransition(submitted(), { type: 'fail', turnId: 't1', error, at: AT });
    expect(state).toEqual({ status: 'error', error, messages: [{ ...question, status: 'error' }] });
  });

  it('a failure mid-stream keeps the text that arrived', () => {
    const state = chatTransition(streamed('Par', 'tial'), { type: 'fail', turnId: 't1', error: new ChatError('network', 'x'), at: AT });
    expect(state.status).toBe('error');
    expect(state.messages[0]?.status).toBe('complete');
    expect(state.messages[1]).toMatchObject({ status: 'error' });
    expect(messageText(state.messages[1]!)).toBe('Partial');
  });

  it('passes parts of unknown types through untouched', () => {
    const custom = { type: 'x-chart', data: [1, 2], state: 'done' };
    const withCustom = { ...question, parts: [custom] };
    const state = chatTransition(initialChatState(), { type: 'submit', turnId: 't', assistantId: 'a', messages: [withCustom] });
    expect(state.messages[0]?.parts[0]).toBe(custom);
    expect(messageText(state.messages[0]!)).toBe('');
  });

  it('clearError returns to idle keeping messages; does nothing elsewhere', () => {
    const failed = chatTransition(submitted(), { type: 'fail', turnId: 't1', error: new ChatError('network', 'x'), at: AT });
    const cleared = chatTransition(failed, { type: 'clearError' });
    expect(cleared).toEqual({ status: 'idle', messages: failed.messages });
    expect(chatTransition(cleared, { type: 'clearError' })).toBe(cleared);
  });
});
