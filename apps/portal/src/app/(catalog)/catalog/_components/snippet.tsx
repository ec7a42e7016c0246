'use client';

import { useState } from 'react';

/** Code with a copy button; `testId` names the text for tests. */
export function Snippet({ label, code, testId }: { label: string; code: string; testId?: string }) {
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  return (
    <figure className="snippet" aria-label={label}>
      <pre className="code" data-testid={testId}>
        {code}
      </pre>
      <button
        type="button"
        className="secondary"
        aria-label={`Copy ${label}`}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(code);
            setCopied('copied');
          } catch {
            setCopied('failed');
          }
        }}
      >
        Copy
      </button>
      <span className="muted" aria-live="polite">
        {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Select the text and copy it' : ''}
      </span>
    </figure>
  );
}
