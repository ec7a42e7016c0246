'use client';

import { useMutation } from '@tanstack/react-query';
import type { FirstCall } from '~/components/key-snippets/first-call';
import { Button } from '~/components/ui/button';
import { FormMessage } from '~/components/ui/field';
import { formError, useTRPC } from '~/trpc/client';
import { KeyReveal } from './key-reveal';

/** A subscribed app's next step: one click to a key and a call that works as written. */
export function FirstKey({
  app,
  apiName,
  call,
}: {
  app: { id: string; name: string; orgSlug: string };
  apiName: string;
  call: FirstCall;
}) {
  const trpc = useTRPC();
  const create = useMutation(trpc.key.create.mutationOptions());
  if (create.data) return <KeyReveal plaintext={create.data.plaintext} call={call} app={app} />;
  return (
    <section className="card" aria-labelledby="first-key-title">
      <h3 id="first-key-title">Call {apiName}</h3>
      <p>
        <strong>{app.name}</strong> is subscribed. Create an API key for it and make your first call.
      </p>
      <Button
        disabled={create.isPending}
        onClick={() =>
          create.mutate({ orgSlug: app.orgSlug, appId: app.id, name: `${apiName} key`.slice(0, 100) })
        }
      >
        {create.isPending ? 'Creating key…' : 'Create API key'}
      </Button>
      <FormMessage message={formError(create.error)} />
    </section>
  );
}
