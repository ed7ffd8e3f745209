// @vitest-environment jsdom
import { preloadMarkdown } from 'colloquy';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { mountChat, type ChatHarness, type TurnFigures } from './fixtures/chat-harness.js';
import { median } from './fixtures/measure.js';
import { conversation } from './fixtures/messages.js';
import { answerTokens, tokenTransport, type TokenPlan } from './fixtures/token-stream.js';
import { record } from './support/results.js';

const SECTION = '2. Streaming render';
const TOKENS = answerTokens(2_000);
/** Tokens per paced turn when comparing history lengths: a long list costs tens of ms per commit in jsdom. */
const PACED_COMPARE_TOKENS = answerTokens(100);
/** Turns of each history length per comparison, interleaved. */
const ROUNDS = 5;
/** Send and finish are urgent (shown at once, outside frames); tokens wait for a frame. */
const BOUNDARY_COMMITS = 2;

// Markdown loads on demand in apps; measure the rendering an answer gets once it has (not the plain-text fallback).
beforeAll(async () => {
  expect(await preloadMarkdown()).toBe(true);
});

const mounted: ChatHarness[] = [];
afterEach(() => {
  for (const chat of mounted.splice(0)) chat.unmount();
});

/** A chat over `history` messages whose turns stream what `plan` says at that moment. */
async function chatWith(history: number, variant?: 'unmemoized-control') {
  const plan: TokenPlan = { tokens: TOKENS, intervalMs: 0 };
  const chat = await mountChat(conversation(history), tokenTransport(plan), variant);
  mounted.push(chat);
  const turn = async (tokens: readonly string[], intervalMs: number): Promise<TurnFigures> => {
    Object.assign(plan, { tokens, intervalMs });
    const figures = await chat.turn();
    // The store has every token, and so has the DOM, whitespace aside (markdown makes `\n\n` a paragraph).
    const text = tokens.join('');
    expect(figures.storeText).toBe(text);
    expect(figures.domText.replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
    return figures;
  };
  await turn(TOKENS, 0); // warm-up
  return turn;
}

/**
 * `rounds` turns of each, taking turns and swapping which goes first every round, so that neither runs while the
 * machine is quieter or busier (it is shared), nor always in the other's wake.
 */
async function interleave(rounds: number, a: () => Promise<TurnFigures>, b: () => Promise<TurnFigures>) {
  const figures: [TurnFigures[], TurnFigures[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) figures[0].push(await a());
    figures[1].push(await b());
    if (round % 2 === 1) figures[0].push(await a());
  }
  return figures;
}

const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
const cpuPerToken = (figures: TurnFigures[], tokens: number) => median(figures.map((turn) => turn.cpuMs)) / tokens;

it('streams 2,000 tokens into the last message of a conversation: one commit per frame, no history row re-renders, cost independent of history', async () => {
  const short = await chatWith(200);
  const paced = await short(TOKENS, 1);
  // Both stay mounted from here on: the two lengths are measured in the same document and heap.
  const long = await chatWith(2_000);
  const [fast, fastLong] = await interleave(ROUNDS, () => short(TOKENS, 0), () => long(TOKENS, 0));
  const [pacedShort, pacedLong] = await interleave(
    ROUNDS,
    () => short(PACED_COMPARE_TOKENS, 1),
    () => long(PACED_COMPARE_TOKENS, 1),
  );

  const control = await (await chatWith(200, 'unmemoized-control'))(TOKENS, 0);
  // The counter must see renders where there are renders, or its zeros mean nothing.
  expect(control.historyRowRenders).toBeGreaterThan(0);

  record({
    section: SECTION,
    name: 'commits, 2,000 tokens at 1 ms intervals, 200 messages',
    value: paced.commits,
    unit: 'commits',
    target: '<= 1 per frame (+2: send, finish)',
    ok: paced.commits <= paced.frames + BOUNDARY_COMMITS,
    note: `${paced.frames} frames elapsed (jsdom rAF) in ${(paced.wallMs / 1000).toFixed(1)} s; issue anchor AI SDK useChat 2,004`,
  });
  const fastCommits = Math.max(...fast.map((turn) => turn.commits));
  const fastFrames = Math.min(...fast.map((turn) => turn.frames));
  record({
    section: SECTION,
    name: 'commits, 2,000 tokens as fast as they come, 200 messages',
    value: fastCommits,
    unit: 'commits',
    target: '<= 1 per frame (+2: send, finish)',
    ok: fastCommits <= fastFrames + BOUNDARY_COMMITS,
    note: `${fastFrames} frame(s) elapsed; worst of ${ROUNDS}`,
  });
  const all = [paced, ...fast, ...pacedShort, ...fastLong, ...pacedLong];
  const historyRenders = Math.max(...all.map((turn) => turn.historyRowRenders));
  record({
    section: SECTION,
    name: 'renders of history rows from first token to finish',
    value: historyRenders,
    unit: 'renders',
    target: '0',
    ok: historyRenders === 0,
    note: `worst of ${all.length} turns (200 and 2,000 messages); at send, ${paced.historyRowRendersAtSend} (the previous answer loses Regenerate); the answer row rendered ${paced.answerRowRenders} times at 1 ms; issue anchor AI SDK 400,800`,
  });
  record({
    section: SECTION,
    name: 'control: inline renderMessage, history row renders (fast stream)',
    value: control.historyRowRenders + control.historyRowRendersAtSend,
    unit: 'renders',
    note: `${control.commits} commits, 200 rows each: the counter sees renders`,
  });
  record({ section: SECTION, name: 'last token shown (final DOM text = all tokens)', value: all.length, unit: 'turns', target: 'every turn', ok: true, note: 'checked on every turn, paced and fast, store and DOM' });

  const fastRatio = cpuPerToken(fastLong, TOKENS.length) / cpuPerToken(fast, TOKENS.length);
  record({
    section: SECTION,
    name: 'CPU per token, 2,000 / 200 messages, as fast as they come',
    value: fastRatio,
    unit: 'x',
    target: '<= 1.2x',
    ok: fastRatio <= 1.2,
    note: `${us(cpuPerToken(fastLong, TOKENS.length))} vs ${us(cpuPerToken(fast, TOKENS.length))} per token, 2,000 tokens; median of ${ROUNDS}`,
  });
  const pacedTokens = PACED_COMPARE_TOKENS.length;
  const pacedRatio = cpuPerToken(pacedLong, pacedTokens) / cpuPerToken(pacedShort, pacedTokens);
  const commitsOf = (figures: TurnFigures[]) => median(figures.map((turn) => turn.commits));
  record({
    section: SECTION,
    name: 'CPU per token, 2,000 / 200 messages, at 1 ms intervals',
    value: pacedRatio,
    unit: 'x',
    target: '<= 1.2x',
    ok: pacedRatio <= 1.2,
    note: `${us(cpuPerToken(pacedLong, pacedTokens))} vs ${us(cpuPerToken(pacedShort, pacedTokens))} per token, ${pacedTokens} tokens; ${commitsOf(pacedLong)} vs ${commitsOf(pacedShort)} commits; median of ${ROUNDS}`,
  });
});
