'use client';

import Link from 'next/link';
import { curlSnippet, type FirstCall, fetchSnippet } from '../_lib/first-call';
import { Snippet } from './snippet';

/** A new key, shown once, with a first call written out for curl and fetch. */
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
    <section className="new-key" aria-labelledby="key-reveal-title">
      <h3 id="key-reveal-title">Your API key for {app.name}</h3>
      <p role="status">Copy it now: it won&apos;t be shown again.</p>
      <Snippet label="API key" code={plaintext} testId="new-key" />
      <h4>Call the API with curl</h4>
      <Snippet label="curl command" code={curlSnippet(call, plaintext)} testId="snippet-curl" />
      <h4>Or from code with fetch (Node 18+ or a browser)</h4>
      <Snippet label="fetch code" code={fetchSnippet(call, plaintext)} testId="snippet-fetch" />
      <p className="muted">
        Keys, usage and subscriptions of this app:{' '}
        <Link href={`/o/${app.orgSlug}/apps/${app.id}`}>{app.name}</Link>.
      </p>
    </section>
  );
}
