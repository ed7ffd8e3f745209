import { useEffect, useRef, useState, type ComponentProps } from 'react';
import { useLabels } from './labels.js';
import { cn } from './cn.js';

/** How long the copy button says "Copied" before it goes back to "Copy". */
const copiedResetMs = 2000;

/**
 * The language name shown for a fence's info string: its first word, reduced to `[A-Za-z0-9_+#.-]` and 32
 * characters, or `'text'` when nothing is left. It ends up in `data-language`, where users match it in CSS.
 *
 * @example
 * codeLanguage('ts title="a.ts"'); // 'ts'
 * codeLanguage('<script>'); // 'script'
 */
export function codeLanguage(info: string | undefined): string {
  const firstWord = (info ?? '').trim().split(/\s/, 1)[0] ?? '';
  return firstWord.replace(/[^\w+#.-]/g, '').slice(0, 32) || 'text';
}

/** Props of {@link CodeBlock}. */
export interface CodeBlockProps extends Omit<ComponentProps<'figure'>, 'children'> {
  /** The code, shown and copied exactly as given. */
  code: string;
  /** The fence's info string or a language name; sanitised by {@link codeLanguage}. @defaultValue 'text' */
  language?: string;
}

/**
 * A block of code with its language and a copy button. Long lines scroll inside the block (which is keyboard
 * focusable for that), never widening the page. No syntax highlighting, to keep the bundle small: style
 * `[data-slot=code-block]` or replace the part to add one.
 *
 * @selector [data-slot=code-block] the figure; `[data-language=python]` carries the sanitised language.
 * @selector [data-slot=code-block-copy][data-state=copied] the copy button for 2 s after a successful copy
 *   (`data-state="idle"` otherwise).
 * @example
 * <CodeBlock language="python" code={'print("hi")'} />
 */
export function CodeBlock({ code, language, className, ...props }: CodeBlockProps) {
  const labels = useLabels();
  const codeRef = useRef<HTMLElement>(null);
  // Counts successful copies since the label last reset, so a second click restarts the 2 s.
  const [copies, setCopies] = useState(0);
  const copied = copies > 0;
  const lang = codeLanguage(language);

  useEffect(() => {
    if (copies === 0) return;
    const timer = setTimeout(() => setCopies(0), copiedResetMs);
    return () => clearTimeout(timer);
  }, [copies]);

  function selectCode() {
    // Without clipboard access (insecure context, denied permission) select the code so Ctrl+C still works.
    const element = codeRef.current;
    const selection = element?.ownerDocument.defaultView?.getSelection();
    if (element && selection) selection.selectAllChildren(element);
  }

  async function copy() {
    const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
    if (typeof clipboard?.writeText !== 'function') return selectCode();
    try {
      await clipboard.writeText(code);
      setCopies((count) => count + 1);
    } catch {
      selectCode();
    }
  }

  return (
    <figure
      data-slot="code-block"
      data-language={lang}
      className={cn('min-w-0 max-w-full overflow-hidden rounded-control bg-code text-code-foreground', className)}
      {...props}
    >
      <div
        data-slot="code-block-header"
        className="flex items-center justify-between gap-2 border-b border-code-foreground/15 px-3 py-1 text-xs"
      >
        <span data-slot="code-block-language" className="font-code opacity-80">
          {lang}
        </span>
        <button
          type="button"
          data-slot="code-block-copy"
          data-state={copied ? 'copied' : 'idle'}
          onClick={() => void copy()}
          className="rounded-control px-2 py-0.5 hover:bg-code-foreground/10 focus-visible:outline-2 focus-visible:outline-ring"
        >
          {copied ? labels.copied : labels.copy}
        </button>
        <span aria-live="polite" className="sr-only">
          {copied ? labels.copied : ''}
        </span>
      </div>
      <pre
        data-slot="code-block-content"
        dir="ltr"
        tabIndex={0}
        role="group"
        aria-label={labels.codeBlockLabel(lang)}
        className="overflow-x-auto p-3 font-code text-sm leading-relaxed whitespace-pre [overflow-wrap:normal] focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring"
      >
        <code ref={codeRef}>{code}</code>
      </pre>
    </figure>
  );
}
