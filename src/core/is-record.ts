/** True when `value` is a plain JSON object (not null, not an array): the first check on anything from the network. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
