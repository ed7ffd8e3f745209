import { cva, type VariantProps } from 'class-variance-authority';
import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ComponentProps } from 'react';
import { useChatConfig, type ChatTheme } from '../react/index.js';
import { cn } from './cn.js';
import { requestMarkdown } from './markdown-loader.js';

/** Classes of {@link ChatRoot}, one `cva()` call so apps can reuse them. */
export const chatRootVariants = cva(
  'flex min-h-0 flex-col bg-background text-foreground font-chat antialiased',
  {
    variants: {
      size: { sm: 'text-sm', md: 'text-base' },
      density: { comfortable: 'gap-3', compact: 'gap-1.5' },
      variant: { bubble: '', flat: '' },
    },
    defaultVariants: { size: 'md', density: 'comfortable', variant: 'bubble' },
  },
);

/** How messages look inside a root. */
export interface ChatAppearance {
  variant: 'bubble' | 'flat';
  density: 'comfortable' | 'compact';
  size: 'sm' | 'md';
}

const AppearanceContext = createContext<ChatAppearance>({ variant: 'bubble', density: 'comfortable', size: 'md' });

/** The nearest {@link ChatRoot}'s variant, density and size (defaults outside one). */
export function useChatAppearance(): ChatAppearance {
  return useContext(AppearanceContext);
}

const darkQuery = '(prefers-color-scheme: dark)';

function subscribeToScheme(onChange: () => void): () => void {
  if (typeof matchMedia !== 'function') return () => {};
  const query = matchMedia(darkQuery);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/** The OS colour scheme, `light` on the server and where `matchMedia` is missing. */
function useSystemScheme(): 'light' | 'dark' {
  return useSyncExternalStore(
    subscribeToScheme,
    () => (typeof matchMedia === 'function' && matchMedia(darkQuery).matches ? 'dark' : 'light'),
    () => 'light',
  );
}

/** Props of {@link ChatRoot}. */
export interface ChatRootProps extends ComponentProps<'div'>, VariantProps<typeof chatRootVariants> {
  /** Overrides the provider's theme for this chat. */
  theme?: ChatTheme;
}

/**
 * The outer frame of a chat: sets the colour scheme (`data-theme`), fonts and the appearance its messages follow,
 * and starts loading the markdown renderer (see `preloadMarkdown`).
 *
 * @selector [data-slot=chat-root]
 * @selector [data-theme=light|dark]
 * @selector [data-variant=bubble|flat]
 */
export function ChatRoot({ className, theme, variant, density, size, ...props }: ChatRootProps) {
  const config = useChatConfig();
  const system = useSystemScheme();
  const wanted = theme ?? config.theme ?? 'system';
  const resolved = wanted === 'system' ? system : wanted;
  // Memoised: every message reads this context, and the root re-renders on each streamed frame.
  const appearance = useMemo<ChatAppearance>(
    () => ({ variant: variant ?? 'bubble', density: density ?? 'comfortable', size: size ?? 'md' }),
    [variant, density, size],
  );
  // A chat will show answers: fetch the markdown renderer while the user is still typing the question.
  useEffect(requestMarkdown, []);
  return (
    <AppearanceContext.Provider value={appearance}>
      <div
        data-slot="chat-root"
        data-theme={resolved}
        data-variant={appearance.variant}
        className={cn(chatRootVariants({ variant, density, size }), className)}
        {...props}
      />
    </AppearanceContext.Provider>
  );
}
