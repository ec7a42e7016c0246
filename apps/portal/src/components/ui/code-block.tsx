'use client';

import { useEffect, useState } from 'react';
import { cn } from '~/lib/cn';
import { Button } from './button';
import { COPIED_FOR_MS, type CopyOutcome, copyButtonText, copyText } from './copy';

/** A button that copies `text` and says "Copied" (or why it could not) for a moment. */
export function CopyButton({
  text,
  label = 'Copy',
  className,
}: {
  text: string;
  label?: string;
  className?: string;
}) {
  const [outcome, setOutcome] = useState<CopyOutcome | null>(null);
  useEffect(() => {
    if (!outcome) return;
    const timer = setTimeout(() => setOutcome(null), COPIED_FOR_MS);
    return () => clearTimeout(timer);
  }, [outcome]);
  return (
    <Button
      variant="secondary"
      size="sm"
      className={className}
      onClick={async () => setOutcome(await copyText(text))}
    >
      <span aria-live="polite">{copyButtonText(outcome, label)}</span>
    </Button>
  );
}

interface CodeBlockProps {
  code: string;
  /** Names the block for screen readers, e.g. "curl command". */
  label?: string;
  /** Keep long lines on one line (scrolling sideways inside the block) instead of wrapping. */
  nowrap?: boolean;
  className?: string;
}

/** Monospace text with a copy button. */
export function CodeBlock({ code, label, nowrap = false, className }: CodeBlockProps) {
  return (
    <figure aria-label={label} className={cn('relative m-0 mb-4 min-w-0', className)}>
      <pre
        tabIndex={nowrap ? 0 : undefined}
        className={cn(
          'm-0 overflow-x-auto rounded-card bg-[#0f1720] py-3 pr-24 pl-4 font-mono text-sm text-[#e6edf3]',
          nowrap ? 'whitespace-pre' : 'whitespace-pre-wrap [overflow-wrap:anywhere]',
        )}
      >
        <code>{code}</code>
      </pre>
      <CopyButton text={code} className="absolute top-2 right-2" />
    </figure>
  );
}
