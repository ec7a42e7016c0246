'use client';

import { Button } from '~/components/ui/button';
import { CodeBlock } from '~/components/ui/code-block';
import { KeyCall } from './key-call';

export interface ShownKey {
  plaintext: string;
  /** The name of the key this one replaces, after a rotation. */
  replaces?: string;
}

/** A new key, shown once, with a first call to the app's subscribed API written out around it. */
export function NewKey({
  orgSlug,
  appId,
  shown,
  onDismiss,
}: {
  orgSlug: string;
  appId: string;
  shown: ShownKey;
  onDismiss: () => void;
}) {
  return (
    <section
      aria-labelledby="new-key-title"
      className="mb-4 min-w-0 rounded-card border border-line bg-page px-4 py-3"
    >
      <h3 id="new-key-title">{shown.replaces ? `New key replacing ${shown.replaces}` : 'Your new key'}</h3>
      <p role="status">
        {shown.replaces ? 'The old key keeps working for the grace period you chose. ' : null}
        Copy it now: it won&apos;t be shown again.
      </p>
      <div data-testid="new-key">
        <CodeBlock label="API key" code={shown.plaintext} nowrap />
      </div>
      <KeyCall orgSlug={orgSlug} appId={appId} plaintext={shown.plaintext} />
      <Button variant="link" onClick={onDismiss}>
        I have stored it safely
      </Button>
    </section>
  );
}
