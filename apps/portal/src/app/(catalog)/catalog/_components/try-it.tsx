'use client';

import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { Button } from '~/components/ui/button';
import { Field } from '~/components/ui/field';
import { KeyHint } from './key-hint';

/**
 * The key the reference's "try it" sends. Keys are shown once at creation, so the portal cannot fill
 * one in: the developer pastes it; it lives in this page's memory only and is never stored.
 */
export function TryItKey({
  orgSlug,
  apiSlug,
  signedIn,
  onKey,
}: {
  orgSlug: string;
  apiSlug: string;
  signedIn: boolean;
  onKey: (key: string) => void;
}) {
  const [key, setKey] = useState('');
  const [used, setUsed] = useState(false);
  if (!signedIn) {
    return (
      <p className="muted">
        <Link href={`/signin?callbackUrl=${encodeURIComponent(`/catalog/${orgSlug}/${apiSlug}`)}`}>
          Sign in
        </Link>{' '}
        to try this API with one of your keys.
      </p>
    );
  }
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    onKey(key.trim());
    setUsed(key.trim() !== '');
  }
  return (
    <>
      <KeyHint orgSlug={orgSlug} apiSlug={apiSlug} />
      <form
        className="mt-3 flex flex-wrap items-start gap-x-4"
        onSubmit={onSubmit}
        aria-label="Key for try it"
      >
        <Field
          id="try-key"
          label="API key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="pk_live_…"
          fieldClassName="min-w-0 flex-[1_1_16rem]"
          value={key}
          onChange={(e) => {
            setKey(e.target.value);
            setUsed(false);
          }}
          hint="Sent as a bearer token with the requests you try below, through the portal; never stored."
        />
        <div className="mb-4 flex items-center gap-3 wide:mt-6">
          <Button type="submit">Use this key</Button>
          {used ? (
            <output className="muted" data-testid="try-key-used">
              Key in use
            </output>
          ) : null}
        </div>
      </form>
    </>
  );
}
