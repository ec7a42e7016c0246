'use client';

import Link from 'next/link';
import { curlSnippet, type FirstCall, fetchSnippet } from '~/components/key-snippets/first-call';
import { CodeBlock } from '~/components/ui/code-block';

/** A new key, shown once, with a first call written out for curl and fetch (each with a copy button). */
export function KeyReveal({
  plaintext,
  call,
  app,
}: {
  plaintext: string;
  call: FirstCall;
  app: { id: string; name: string; orgSlug: string };
}) {
  return (
    <section className="card" aria-labelledby="key-reveal-title">
      <h3 id="key-reveal-title">Your API key for {app.name}</h3>
      <p role="status">Copy it now: it won&apos;t be shown again.</p>
      <div data-testid="new-key">
        <CodeBlock label="API key" code={plaintext} nowrap />
      </div>
      <h4>Call the API with curl</h4>
      <div data-testid="snippet-curl">
        <CodeBlock label="curl command" code={curlSnippet(call, plaintext)} />
      </div>
      <h4>Or from code with fetch (Node 18+ or a browser)</h4>
      <div data-testid="snippet-fetch">
        <CodeBlock label="fetch code" code={fetchSnippet(call, plaintext)} />
      </div>
      <p className="muted">
        Keys, usage and subscriptions of this app:{' '}
        <Link href={`/o/${app.orgSlug}/apps/${app.id}`}>{app.name}</Link>.
      </p>
    </section>
  );
}
