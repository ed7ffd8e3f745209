import type { Usage } from '../core/index.js';

/** A model's price in US dollars per million tokens. */
export interface ModelPrice {
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
}

/** A table of {@link ModelPrice}s by model name (`gpt-4o-mini`); a dated snapshot (`gpt-4o-mini-2024-07-18`) uses its base entry. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * Indicative list prices (standard tier, uncached input) of common chat models, in USD per million tokens, as
 * published by OpenAI when this table was written. Prices change and discounts (cached input, batch, flex) are not
 * modelled: treat `costUsd` as an estimate for dashboards and budgets, never as an invoice, and pass `prices` to
 * override or extend it.
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-4o': { inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 },
  'gpt-4o-mini': { inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 },
  'gpt-4.1': { inputUsdPerMillion: 2, outputUsdPerMillion: 8 },
  'gpt-4.1-mini': { inputUsdPerMillion: 0.4, outputUsdPerMillion: 1.6 },
  'gpt-4.1-nano': { inputUsdPerMillion: 0.1, outputUsdPerMillion: 0.4 },
  'gpt-5': { inputUsdPerMillion: 1.25, outputUsdPerMillion: 10 },
  'gpt-5-mini': { inputUsdPerMillion: 0.25, outputUsdPerMillion: 2 },
  'gpt-5-nano': { inputUsdPerMillion: 0.05, outputUsdPerMillion: 0.4 },
  o3: { inputUsdPerMillion: 2, outputUsdPerMillion: 8 },
  'o3-mini': { inputUsdPerMillion: 1.1, outputUsdPerMillion: 4.4 },
  'o4-mini': { inputUsdPerMillion: 1.1, outputUsdPerMillion: 4.4 },
};

/**
 * The price of `model` in `table`: an exact entry, else the longest entry the name extends at a `-` boundary
 * (`gpt-4o-mini-2024-07-18` → `gpt-4o-mini`, never `gpt-4o`). `undefined` for a model the table does not know.
 */
export function priceOf(model: string, table: PriceTable): ModelPrice | undefined {
  if (Object.hasOwn(table, model)) return table[model];
  let best: string | undefined;
  for (const name of Object.keys(table)) {
    if (model.startsWith(`${name}-`) && (best === undefined || name.length > best.length)) best = name;
  }
  return best === undefined ? undefined : table[best];
}

/**
 * The estimated cost of one answer in USD, or `undefined` when the model has no price.
 *
 * @example
 * estimateCostUsd('gpt-4o-mini', { promptTokens: 1000, completionTokens: 500, totalTokens: 1500 }, DEFAULT_PRICES); // 0.00045
 */
export function estimateCostUsd(model: string, usage: Usage, table: PriceTable): number | undefined {
  const price = priceOf(model, table);
  if (price === undefined) return undefined;
  return (usage.promptTokens * price.inputUsdPerMillion + usage.completionTokens * price.outputUsdPerMillion) / 1_000_000;
}
