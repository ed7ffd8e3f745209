import { useEffect, useRef, type ComponentProps, type KeyboardEvent, type RefObject } from 'react';
import { useLabels } from './labels.js';
import { cn } from './cn.js';

/** Props of {@link ConversationDrawer}. */
export interface ConversationDrawerProps extends ComponentProps<'div'> {
  open: boolean;
  /** Called by Escape, the close button, a click outside, and when the screen grows past `closeAbove`. */
  onClose: () => void;
  /** Where focus goes when the drawer closes with nothing else focused: the button that opened it. */
  returnFocusRef?: RefObject<HTMLElement | null>;
  /** A media query that closes the drawer when it matches (the layout shows a sidebar there). @defaultValue '(min-width: 48rem)' */
  closeAbove?: string;
}

const FOCUSABLE = 'button:not(:disabled), [href], input:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/**
 * A modal side drawer for small screens: a labelled `dialog` over a backdrop. Focus moves in on open (to the current
 * conversation, else the first control) and stays inside (Tab wraps); Escape, the close button or a click on the
 * backdrop close it, and focus returns to the button that opened it. Keep the page behind it `inert` while open.
 *
 * @selector [data-slot=conversation-drawer] - parts: `conversation-drawer-backdrop`, `conversation-drawer-panel`,
 *   `conversation-drawer-close`
 */
export function ConversationDrawer({
  open,
  onClose,
  returnFocusRef,
  closeAbove = '(min-width: 48rem)',
  className,
  children,
  onKeyDown,
  ...props
}: ConversationDrawerProps) {
  const labels = useLabels();
  const panel = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });

  useEffect(() => {
    if (!open) return undefined;
    const element = panel.current;
    const target = element?.querySelector<HTMLElement>('[aria-current="true"]') ?? element?.querySelector<HTMLElement>(FOCUSABLE);
    target?.focus();
    const query = typeof matchMedia === 'function' ? matchMedia(closeAbove) : undefined;
    const onChange = (event: MediaQueryListEvent) => {
      if (event.matches) close.current();
    };
    query?.addEventListener('change', onChange);
    const opener = returnFocusRef?.current;
    return () => {
      query?.removeEventListener('change', onChange);
      // Runs after the commit that closed the drawer, when the page is no longer inert.
      const active = document.activeElement;
      if (active === null || active === document.body || !active.isConnected) opener?.focus();
    };
  }, [open, closeAbove, returnFocusRef]);

  if (!open) return null;

  function handleKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    onKeyDown?.(event);
    if (event.defaultPrevented) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
    } else if (event.key === 'Tab') {
      const focusable = [...(panel.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
      const first = focusable[0];
      const last = focusable.at(-1);
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last?.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first?.focus();
      }
    }
  }

  return (
    <div data-slot="conversation-drawer" className="fixed inset-0 z-40 flex md:hidden">
      <div data-slot="conversation-drawer-backdrop" aria-hidden="true" onClick={onClose} className="absolute inset-0 bg-foreground/40" />
      <div
        ref={panel}
        data-slot="conversation-drawer-panel"
        role="dialog"
        aria-modal="true"
        aria-label={labels.conversationsLabel}
        {...props}
        onKeyDown={handleKeyDown}
        className={cn('relative flex h-full w-80 max-w-[85vw] flex-col bg-surface text-surface-foreground shadow-xl', className)}
      >
        <div className="flex justify-end px-2 pt-2">
          <button
            type="button"
            data-slot="conversation-drawer-close"
            aria-label={labels.hideConversations}
            onClick={onClose}
            className="inline-flex size-9 items-center justify-center rounded-control text-muted-foreground outline-hidden hover:bg-muted hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring"
          >
            <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
              <path d="M6 6l12 12M18 6 6 18" />
            </svg>
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
