import { cva, type VariantProps } from 'class-variance-authority';
import { useState, type ComponentProps } from 'react';
import { useCountdown } from '../react/index.js';
import { defaultLabels, useLabels } from './labels.js';
import type { ChatError } from '../core/index.js';
import { cn } from './cn.js';

/** Looks of the {@link ErrorBanner}. */
export const errorBannerVariants = cva(
  'flex items-start gap-3 rounded-control border border-current/20 p-3 font-chat text-sm leading-5',
  {
    variants: {
      tone: {
        danger: 'bg-danger-soft text-danger-soft-foreground',
        warning: 'bg-warning-soft text-warning-soft-foreground',
      },
    },
    defaultVariants: { tone: 'danger' },
  },
);

const buttonClass =
  'inline-flex h-8 items-center justify-center rounded-control border border-border bg-background px-3 text-sm font-medium text-foreground outline-hidden hover:bg-surface focus-visible:ring-2 focus-visible:ring-ring';

/** Props of {@link ErrorBanner}. */
export interface ErrorBannerProps extends Omit<ComponentProps<'div'>, 'children'>, VariantProps<typeof errorBannerVariants> {
  /** The error to explain; the banner renders nothing for `null`. */
  error: ChatError | null | undefined;
  /** Offered for retryable errors (`error.retryable`); for `rate_limited`, only once the wait is over. */
  onRetry?: () => void;
  /** Shows a Dismiss button. */
  onDismiss?: () => void;
  /**
   * When a `rate_limited` error may be retried (ms since the epoch), e.g. `useChat().rateLimit.availableAt`.
   * @defaultValue `error.retryAfterMs` after the banner first showed this error
   */
  retryAt?: number | null;
  /** The clock of the countdown, injectable for tests and deterministic stories. @defaultValue `Date.now` */
  now?: () => number;
}

/** True when `detail` says more than `title` (not empty, not the same sentence). */
function addsSomething(detail: string, title: string): boolean {
  const normalize = (text: string) => text.trim().toLowerCase().replace(/[\s.!]+$/, '');
  return normalize(detail) !== '' && normalize(detail) !== normalize(title);
}

/**
 * Explains a {@link ChatError} with one headline per code, its message when that adds something, and the action
 * that fits: Retry for retryable errors, a countdown then Retry for `rate_limited`, a sign-in hint for
 * `unauthorized`, an explanation for the rest. Only the headline and explanation sit in the `role="alert"`
 * region, so they are announced once; the per-second countdown is outside it.
 *
 * @selector [data-slot=error-banner] - the banner; parts: `error-banner-message` (the alert),
 *   `error-banner-title`, `error-banner-detail`, `error-banner-hint`, `error-banner-countdown`,
 *   `error-banner-actions`, `error-banner-retry`, `error-banner-dismiss`
 * @selector [data-code=rate_limited] - the error's code
 * @selector [data-tone=warning] - the tone in effect (`rate_limited` defaults to warning)
 * @selector [data-waiting] - a rate-limit countdown is running
 *
 * @example
 * <ErrorBanner error={chat.error} onRetry={chat.retry} onDismiss={chat.clearError}
 *   retryAt={chat.rateLimit.availableAt} />
 */
export function ErrorBanner({ error, onRetry, onDismiss, retryAt, now = Date.now, tone, className, ...props }: ErrorBannerProps) {
  const labels = useLabels();
  // Anchor `retryAfterMs` to the moment this error first showed; a new error gets a new anchor.
  const [anchor, setAnchor] = useState(() => ({ error, at: now() }));
  if (anchor.error !== error) setAnchor({ error, at: now() });

  const rateLimited = error?.code === 'rate_limited';
  const fromError = error?.retryAfterMs !== undefined ? anchor.at + error.retryAfterMs : null;
  const seconds = useCountdown(rateLimited ? (retryAt ?? fromError) : null, now);
  const waiting = seconds !== null && seconds > 0;

  if (!error) return null;
  const code = error.code;
  const title = labels.errorTitles[code] ?? defaultLabels.errorTitles[code];
  // A rate_limited message names a wait ("Try again in 30 s") that the live countdown replaces.
  const detail = !rateLimited && addsSomething(error.message, title) ? error.message : null;
  const hint = code === 'unauthorized' ? labels.checkSignIn : labels.errorHints[code];
  const resolvedTone = tone ?? (rateLimited ? 'warning' : 'danger');

  return (
    <div
      data-slot="error-banner"
      data-code={code}
      data-tone={resolvedTone}
      data-waiting={waiting ? '' : undefined}
      {...props}
      className={cn(errorBannerVariants({ tone: resolvedTone }), className)}
    >
      <AlertIcon />
      <div className="flex min-w-0 flex-1 flex-col gap-2">
        <div role="alert" data-slot="error-banner-message" className="flex flex-col gap-0.5">
          <p data-slot="error-banner-title" className="font-semibold">
            {title}
          </p>
          {detail ? <p data-slot="error-banner-detail">{detail}</p> : null}
          {hint ? <p data-slot="error-banner-hint">{hint}</p> : null}
        </div>
        {waiting ? (
          <p data-slot="error-banner-countdown" aria-live="off" className="tabular-nums">
            {labels.retryIn(seconds)}
          </p>
        ) : null}
        {rateLimited && seconds !== null ? (
          // Present (empty) from the start so the one "you can send again" is announced when it fills.
          <p role="status" className="sr-only">
            {waiting ? '' : labels.canSendAgain}
          </p>
        ) : null}
        {(onRetry && error.retryable && !waiting) || onDismiss ? (
          <div data-slot="error-banner-actions" className="flex flex-wrap gap-2">
            {onRetry && error.retryable && !waiting ? (
              <button type="button" data-slot="error-banner-retry" onClick={onRetry} className={buttonClass}>
                {labels.retry}
              </button>
            ) : null}
            {onDismiss ? (
              <button type="button" data-slot="error-banner-dismiss" onClick={onDismiss} className={buttonClass}>
                {labels.dismiss}
              </button>
            ) : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}

function AlertIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" className="mt-px shrink-0">
      <circle cx="12" cy="12" r="9" />
      <path d="M12 7.5v5M12 16h.01" />
    </svg>
  );
}
