import { cva, type VariantProps } from 'class-variance-authority';
import {
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  type ComponentProps,
  type FormEvent,
  type KeyboardEvent,
  type Ref,
} from 'react';
import { characterCount, type ChatError } from '../core/index.js';
import { useCountdown } from '../react/index.js';
import { useLabels } from './labels.js';
import { cn } from './cn.js';

/**
 * Looks of the {@link Composer}. Its parts follow `size` through `group-data-[size=sm]/composer:`.
 */
export const composerVariants = cva(
  'group/composer flex flex-col gap-1 border border-border bg-background font-chat text-foreground has-[textarea:focus-visible]:ring-2 has-[textarea:focus-visible]:ring-ring',
  {
    variants: {
      size: { sm: 'p-1 text-sm', md: 'p-1.5 text-base' },
      variant: { bubble: 'rounded-bubble shadow-sm', flat: 'rounded-none border-x-0 border-b-0' },
    },
    defaultVariants: { size: 'md', variant: 'bubble' },
  },
);

const buttonClass =
  'inline-flex size-9 shrink-0 items-center justify-center rounded-control outline-hidden focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background disabled:cursor-not-allowed disabled:opacity-50 group-data-[size=sm]/composer:size-8';

/** Props of {@link Composer}. */
export interface ComposerProps
  extends Omit<ComponentProps<'form'>, 'onSubmit' | 'children' | 'autoFocus' | 'defaultValue'>,
    VariantProps<typeof composerVariants> {
  /** The text (controlled). */
  value: string;
  /** Called with the new text on every edit. */
  onValueChange: (text: string) => void;
  /** Called with the current text on Enter or Send; the parent decides whether to clear the input. */
  onSubmit: (text: string) => void;
  /** Called by the Stop button, or Escape while `busy`. */
  onStop?: () => void;
  /** A turn is in flight: Stop replaces Send, and Enter does not send. @defaultValue false */
  busy?: boolean;
  /** Nothing can be typed or sent. @defaultValue false */
  disabled?: boolean;
  /** Why the composer is disabled, shown under it and linked to the textarea while `disabled`. */
  disabledReason?: string;
  /** A limit in characters (code points, counted like `ChatStoreOptions.maxInputLength` and the server); the text is never truncated. */
  maxLength?: number;
  /** Sending is blocked until this moment (ms since the epoch); typing stays possible. */
  rateLimitedUntil?: number | null;
  /** Why the last send was refused (`useChat().refusal`), shown under the input. */
  error?: ChatError | null;
  /** @defaultValue labels.composerPlaceholder */
  placeholder?: string;
  /** Focus the textarea on mount. @defaultValue false */
  autoFocus?: boolean;
  /** A ref to the textarea, e.g. to return focus to it after a retry. */
  inputRef?: Ref<HTMLTextAreaElement>;
  /** The clock of the rate-limit countdown, injectable for tests and deterministic stories. @defaultValue `Date.now` */
  now?: () => number;
}

/** Sets a ref of any kind; returns the cleanup a React 19 callback ref may give. */
function setRef<T>(ref: Ref<T> | undefined, value: T | null): void | (() => void) {
  if (typeof ref === 'function') return ref(value);
  if (ref) ref.current = value;
}

let fieldSizing: boolean | undefined;
/** Whether the browser grows a textarea with its content by itself (CSS `field-sizing: content`). */
function supportsFieldSizing(): boolean {
  fieldSizing ??= typeof CSS !== 'undefined' && typeof CSS.supports === 'function' && CSS.supports('field-sizing', 'content');
  return fieldSizing;
}

/**
 * The message input: a textarea that grows with its content (then scrolls), Enter to send, Shift+Enter for a
 * new line, a Send button that becomes Stop while a turn is in flight, a character counter near `maxLength`
 * and a live countdown while rate-limited. Controlled: pair it with `useChat`'s `input`, `setInput`, `submit`.
 *
 * @selector [data-slot=composer] - the form; parts: `composer-input`, `composer-send`, `composer-stop`,
 *   `composer-footer`, `composer-reason`, `composer-rate-limit`, `composer-counter`, `composer-error`
 * @selector [data-busy] - a turn is in flight
 * @selector [data-disabled] - the composer is disabled
 * @selector [data-over-limit] - the text is longer than `maxLength`
 * @selector [data-rate-limited] - sending is blocked for now
 * @selector [data-size=sm] / [data-variant=flat] - the variants in effect
 *
 * @example
 * const chat = useChat();
 * <Composer value={chat.input} onValueChange={chat.setInput} onSubmit={(text) => chat.submit(text)}
 *   onStop={chat.stop} busy={chat.status === 'streaming'} rateLimitedUntil={chat.rateLimit.availableAt}
 *   error={chat.refusal} />
 */
export function Composer({
  value,
  onValueChange,
  onSubmit,
  onStop,
  busy = false,
  disabled = false,
  disabledReason,
  maxLength,
  rateLimitedUntil = null,
  error = null,
  placeholder,
  autoFocus = false,
  inputRef,
  now,
  size,
  variant,
  className,
  onKeyDown,
  ...props
}: ComposerProps) {
  const labels = useLabels();
  const id = useId();
  const textareaRef = useRef<HTMLTextAreaElement | null>(null);
  const stopHadFocus = useRef(false);

  const seconds = useCountdown(rateLimitedUntil, now);
  const rateLimited = seconds !== null && seconds > 0;
  const length = characterCount(value);
  const overLimit = maxLength !== undefined && length > maxLength;
  const showCounter = maxLength !== undefined && maxLength - length <= maxLength * 0.1;
  const canSend = !disabled && !busy && !overLimit && !rateLimited && value.trim() !== '';
  // The countdown says what a rate_limited refusal says, but live.
  const shownError = error && !(rateLimited && error.code === 'rate_limited') ? error : null;
  const invalid = overLimit || shownError?.code === 'message_too_long' || shownError?.code === 'invalid_input';

  const ids = {
    input: `${id}-input`,
    reason: `${id}-reason`,
    rateLimit: `${id}-rate-limit`,
    counter: `${id}-counter`,
    error: `${id}-error`,
  };
  const describedBy =
    [
      disabled && disabledReason && ids.reason,
      rateLimited && ids.rateLimit,
      showCounter && ids.counter,
      shownError && ids.error,
    ]
      .filter(Boolean)
      .join(' ') || undefined;

  const setTextarea = useCallback(
    (node: HTMLTextAreaElement | null) => {
      textareaRef.current = node;
      const cleanup = setRef(inputRef, node);
      return () => {
        textareaRef.current = null;
        if (typeof cleanup === 'function') cleanup();
        else setRef(inputRef, null);
      };
    },
    [inputRef],
  );

  // Fallback for browsers without `field-sizing: content`: grow to the content before paint, so nothing jumps.
  // Growing needs no reset; only a shrink resets the height to measure. CSS max-height caps it, then it scrolls.
  useLayoutEffect(() => {
    const el = textareaRef.current;
    if (!el || supportsFieldSizing() || el.scrollHeight === 0) return;
    if (el.scrollHeight <= el.clientHeight) el.style.height = 'auto';
    el.style.height = `${el.scrollHeight + el.offsetHeight - el.clientHeight}px`;
  }, [value]);

  // The Stop button disappears when the turn ends; if it had focus, return focus to the textarea.
  useEffect(() => {
    if (busy || !stopHadFocus.current) return;
    stopHadFocus.current = false;
    if (document.activeElement === null || document.activeElement === document.body) textareaRef.current?.focus();
  }, [busy]);

  function send() {
    if (canSend) onSubmit(value);
    textareaRef.current?.focus();
  }

  function stop() {
    onStop?.();
    textareaRef.current?.focus();
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    send();
  }

  function handleKeyDown(event: KeyboardEvent<HTMLFormElement>) {
    onKeyDown?.(event);
    if (event.defaultPrevented) return;
    // Enter confirms an IME composition; Safari fires that keydown after compositionend, with keyCode 229.
    if (event.nativeEvent.isComposing || event.keyCode === 229) return;
    if (event.key === 'Escape' && busy && onStop) {
      event.preventDefault();
      stop();
    } else if (event.key === 'Enter' && !event.shiftKey && event.target === textareaRef.current) {
      event.preventDefault();
      send();
    }
  }

  return (
    <form
      data-slot="composer"
      data-size={size ?? 'md'}
      data-variant={variant ?? 'bubble'}
      data-busy={busy ? '' : undefined}
      data-disabled={disabled ? '' : undefined}
      data-over-limit={overLimit ? '' : undefined}
      data-rate-limited={rateLimited ? '' : undefined}
      {...props}
      className={cn(composerVariants({ size, variant }), className)}
      onSubmit={handleSubmit}
      onKeyDown={handleKeyDown}
    >
      <label htmlFor={ids.input} className="sr-only">
        {labels.composerLabel}
      </label>
      <div data-slot="composer-row" className="flex items-end gap-1.5">
        <textarea
          ref={setTextarea}
          id={ids.input}
          data-slot="composer-input"
          rows={1}
          value={value}
          onChange={(event) => onValueChange(event.target.value)}
          placeholder={placeholder ?? labels.composerPlaceholder}
          disabled={disabled}
          autoFocus={autoFocus}
          enterKeyHint="send"
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          className="block max-h-48 min-h-9 w-full flex-1 resize-none overflow-y-auto bg-transparent px-2 py-1.5 leading-6 outline-hidden [field-sizing:content] placeholder:text-muted-foreground disabled:cursor-not-allowed group-data-[size=sm]/composer:min-h-8 group-data-[size=sm]/composer:py-1"
        />
        {busy ? (
          // Keyed: Stop and Send are different elements, so focus or a held key never carries from one to the other.
          <button
            key="stop"
            type="button"
            data-slot="composer-stop"
            onClick={stop}
            onFocus={() => {
              stopHadFocus.current = true;
            }}
            onBlur={() => {
              stopHadFocus.current = false;
            }}
            className={cn(buttonClass, 'bg-foreground text-background')}
          >
            <StopIcon />
            <span className="sr-only">{labels.stop}</span>
          </button>
        ) : (
          <button key="send" type="submit" data-slot="composer-send" disabled={!canSend} className={cn(buttonClass, 'bg-accent text-accent-foreground')}>
            <SendIcon />
            <span className="sr-only">{labels.send}</span>
          </button>
        )}
      </div>
      {(disabled && disabledReason) || rateLimited || showCounter || shownError ? (
        <div data-slot="composer-footer" className="flex flex-wrap items-baseline gap-x-3 gap-y-1 px-2 pb-0.5 text-xs leading-5 text-muted-foreground">
          {disabled && disabledReason ? (
            <p id={ids.reason} data-slot="composer-reason">
              {disabledReason}
            </p>
          ) : null}
          {rateLimited ? (
            // Not live: a countdown announced every second would drown everything else.
            <p id={ids.rateLimit} data-slot="composer-rate-limit" aria-live="off">
              {labels.rateLimited(seconds)}
            </p>
          ) : null}
          {shownError ? (
            <p id={ids.error} data-slot="composer-error" data-code={shownError.code} role="alert" className="text-danger">
              {shownError.message}
            </p>
          ) : null}
          {showCounter ? (
            <p id={ids.counter} data-slot="composer-counter" className={cn('ms-auto tabular-nums', overLimit && 'font-medium text-danger')}>
              {overLimit ? labels.charactersOver(length - maxLength) : labels.charactersLeft(maxLength - length)}
            </p>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}

function SendIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M12 19V5M5 12l7-7 7 7" />
    </svg>
  );
}

function StopIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width="14" height="14" fill="currentColor">
      <rect x="5" y="5" width="14" height="14" rx="2" />
    </svg>
  );
}
