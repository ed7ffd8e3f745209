import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { ChatStoreOptions, RateLimiter } from '../core/index.js';
import type { ChatLabels } from './labels.js';

/** Colour scheme for colloquy's components: follow the OS, or force one. */
export type ChatTheme = 'light' | 'dark' | 'system';

/** App-wide defaults for every chat below a {@link ChatProvider}. */
export interface ChatConfig extends Partial<Omit<ChatStoreOptions, 'rateLimit'>> {
  /** Reworded or translated UI text; missing keys fall back to English (`defaultLabels`, in `colloquy`). */
  labels?: Partial<ChatLabels>;
  /** One limiter shared by every chat under the provider, so the limit is per app, not per component. */
  rateLimit?: RateLimiter;
  /** Colour scheme. @defaultValue 'system' */
  theme?: ChatTheme;
  /** Origins images in answers may load from; every other image is never requested. @defaultValue none */
  imageAllowlist?: readonly string[];
  /** Defaults for the drop-in `Chat`: heading, greeting, suggested first prompts, composer placeholder. */
  title?: string;
  welcomeMessage?: string;
  starterPrompts?: readonly string[];
  placeholder?: string;
}

// Carries label overrides only, merged down the tree: the English defaults belong to the components that render them
// (`useLabels`), so the hooks ship no UI text. Pure: an app that imports none of the hooks drops it from its bundle.
const ChatConfigContext = /* @__PURE__ */ createContext<ChatConfig>({});

/** Props of {@link ChatProvider}. */
export interface ChatProviderProps extends ChatConfig {
  children?: ReactNode;
}

/**
 * Configures every colloquy chat below it once: transport, system prompt, labels, a shared rate limiter, theme.
 *
 * @example
 * <ChatProvider transport={createSseTransport({ url: '/api/chat/stream' })} labels={{ send: 'Envoyer' }}>
 *   <ChatStreaming />
 * </ChatProvider>
 */
export function ChatProvider({ children, labels, ...config }: ChatProviderProps) {
  const parent = useContext(ChatConfigContext);
  // Props are usually written inline: compare entries, not identity, so consumers re-render only on real changes.
  const stableConfig = useShallowStable(config);
  const stableLabels = useShallowStable(labels ?? {});
  // Merged apart from the rest, so a change elsewhere in the config keeps the labels object (and what `useLabels`
  // derives from it); a provider without labels passes its parent's object on untouched.
  const mergedLabels = useMemo(
    () => (Object.keys(stableLabels).length === 0 ? parent.labels : { ...parent.labels, ...stableLabels }),
    [parent.labels, stableLabels],
  );
  const value = useMemo<ChatConfig>(
    () => ({ ...parent, ...stableConfig, labels: mergedLabels }),
    [parent, stableConfig, mergedLabels],
  );
  return <ChatConfigContext.Provider value={value}>{children}</ChatConfigContext.Provider>;
}

function shallowEqual(a: object, b: object): boolean {
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** Returns the previous object while `value` is shallow-equal to it. */
function useShallowStable<T extends object>(value: T): T {
  const [stable, setStable] = useState(value);
  if (shallowEqual(stable, value)) return stable;
  // React's "storing information from previous renders" pattern: re-renders at once with the new value.
  setStable(value);
  return value;
}

/**
 * The nearest {@link ChatProvider}'s configuration, merged over its ancestors'. `labels` holds the overrides only
 * (`undefined` when there are none); `useLabels` from `colloquy` merges them over the English defaults.
 */
export function useChatConfig(): ChatConfig {
  return useContext(ChatConfigContext);
}
