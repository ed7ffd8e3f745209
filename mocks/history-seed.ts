import { conversationTitle, type Conversation, type Usage } from '../src/core/index.js';
import { countTokens } from './replies.js';

/** A part as the mock stores it: `{ type: 'text', text }`, or a part of another type kept untouched. */
export interface StoredPart {
  type: string;
  [key: string]: unknown;
}

/** A message as the history endpoints store and return it. @see docs/protocol.md, "Resources" */
export interface StoredMessage {
  id: string;
  parentId: string | null;
  role: 'user' | 'assistant';
  parts: StoredPart[];
  createdAt: string;
  status: 'complete' | 'error' | 'cancelled' | 'streaming';
  usage?: Usage;
  finishReason?: string;
}

/** One conversation of a history database, with its messages oldest first. */
export interface SeedConversation {
  conversation: Conversation;
  messages: StoredMessage[];
}

/** Id of the seeded conversation with 5,000 messages, for pagination stories and tests. */
export const LONG_CONVERSATION_ID = 'conv-standup-log';

const MINUTE_MS = 60_000;

type Turn = [role: 'user' | 'assistant', text: string, status?: StoredMessage['status']];

/** A conversation from turns: ids `${id}-1`, `${id}-2`…, each message the parent of the next, one minute apart. */
function conversation(id: string, startIso: string, turns: readonly Turn[], title?: string): SeedConversation {
  const start = Date.parse(startIso);
  const messages = turns.map(([role, text, status = 'complete'], index): StoredMessage => {
    const tokens = countTokens(text);
    const answered = role === 'assistant' && status === 'complete';
    return {
      id: `${id}-${index + 1}`,
      parentId: index === 0 ? null : `${id}-${index}`,
      role,
      parts: [{ type: 'text', text }],
      createdAt: new Date(start + index * MINUTE_MS).toISOString(),
      status,
      ...(answered ? { usage: { promptTokens: 12 * (index + 1), completionTokens: tokens, totalTokens: 12 * (index + 1) + tokens } } : {}),
      ...(answered ? { finishReason: 'stop' } : {}),
    };
  });
  const first = turns.find(([role]) => role === 'user');
  const updatedAt = messages[messages.length - 1]?.createdAt ?? startIso;
  return {
    conversation: { id, title: title ?? conversationTitle(first?.[1] ?? ''), createdAt: new Date(start).toISOString(), updatedAt },
    messages,
  };
}

const GENERICS_ANSWER = `Generics let a function keep the type of what passes through it.

\`\`\`ts
function first<T>(items: readonly T[]): T | undefined {
  return items[0];
}

const n = first([1, 2, 3]); // number | undefined
const s = first(['a', 'b']); // string | undefined
\`\`\`

- \`T\` is inferred from the argument, so callers rarely write it.
- Add a constraint with \`extends\` when you need a property: \`<T extends { id: string }>\`.

| Without generics | With generics |
| --- | --- |
| \`any\` loses the type | \`T\` keeps it |`;

const TOPICS = ['the release checklist', 'flaky tests', 'the design review', 'on-call handover', 'the API migration'] as const;

/** 5,000 alternating messages, generated from their index alone (no randomness, no clock). */
function standupTurns(count: number): Turn[] {
  return Array.from({ length: count }, (_, index): Turn => {
    const n = Math.floor(index / 2) + 1;
    const topic = TOPICS[n % TOPICS.length] ?? TOPICS[0];
    return index % 2 === 0
      ? ['user', `Stand-up note ${n}: progress on ${topic}.`]
      : ['assistant', `Noted (${n}). Next step for ${topic}: write it down and share it with the team.`];
  });
}

/**
 * The mock's default history, identical on every call: six conversations with fixed ids and dates (a short one, one
 * with a markdown and code answer, one of 5,000 messages, one whose last answer was stopped, one whose last answer
 * failed, and an empty one). Newest first: `conv-report`, `conv-new`, `conv-generics`, `conv-sourdough`,
 * {@link LONG_CONVERSATION_ID}, `conv-lisbon`.
 */
export function createHistorySeed(): SeedConversation[] {
  return [
    conversation('conv-lisbon', '2025-03-02T10:00:00.000Z', [
      ['user', 'What should I see in Lisbon over a weekend?'],
      ['assistant', 'Start in Alfama for the views, take tram 28 to Estrela, and keep an afternoon for Belém and its pastries.'],
      ['user', 'Is the tram worth the queue?'],
      ['assistant', 'Go before 9 a.m. and it is. Later in the day, walking the same route is faster.'],
    ]),
    conversation(LONG_CONVERSATION_ID, '2025-03-10T08:00:00.000Z', standupTurns(5_000), 'Daily stand-up log'),
    conversation('conv-sourdough', '2025-03-14T18:30:00.000Z', [
      [
        'user',
        'My sourdough keeps coming out dense even though the starter bubbles nicely and I follow the recipe to the gram. ' +
          'What am I missing?',
      ],
      ['assistant', 'Dense crumb with an active starter usually means under-proofing. Let the bulk rise until the dough grows by half.'],
      ['user', 'How warm should the kitchen be?'],
      ['assistant', 'Around 24 °C is ideal. Below 20 °C, the bulk rise can take twice as long: judge by the dough, not the clock.'],
      ['user', 'Can I use the fridge overnight?'],
      ['assistant', 'Yes: shape it, cover it, and', 'cancelled'],
    ]),
    conversation('conv-generics', '2025-03-18T14:05:00.000Z', [
      ['user', 'Explain TypeScript generics with a code example.'],
      ['assistant', GENERICS_ANSWER],
      ['user', 'And a constraint?'],
      ['assistant', 'Write `<T extends { id: string }>`: inside, `item.id` is a string, and callers keep their exact type.'],
    ]),
    conversation('conv-new', '2025-03-19T09:00:00.000Z', [], 'New conversation'),
    conversation(
      'conv-report',
      '2025-03-20T16:45:00.000Z',
      [
        ['user', 'Summarise the Q1 report in three bullet points.'],
        ['assistant', '- Revenue grew 12% on the quarter.\n- Churn fell to 2.1%.\n- Hiring is behind plan in', 'error'],
      ],
      'Q1 report summary',
    ),
  ];
}
