'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { SelectControl } from '~/components/forms/controls';
import { Button } from '~/components/ui/button';
import { Field, FormMessage } from '~/components/ui/field';
import { fieldErrors, formError, useTRPC } from '~/trpc/client';
import type { VersionFormProps as Props } from './prompt-publish-form';
import { splitDraft, splitRelease } from './prompt-release-draft';

function useRelease({ refresh }: Pick<Props, 'refresh'>) {
  const trpc = useTRPC();
  return useMutation(trpc.ai.setPromptRelease.mutationOptions({ onSuccess: refresh }));
}

/** Releases one version to all live traffic: rolling back is releasing an older one. */
export function ReleaseButton({ number, ...props }: Props & { number: number }) {
  const release = useRelease(props);
  return (
    <div>
      <Button
        variant="secondary"
        size="sm"
        disabled={release.isPending}
        onClick={() =>
          release.mutate({ orgSlug: props.orgSlug, apiId: props.apiId, release: { versionA: number } })
        }
      >
        Release<span className="sr-only"> version {number} to all traffic</span>
      </Button>
      <FormMessage message={release.error?.message} />
    </div>
  );
}

/** Splits live traffic between two versions: weightB percent of calls run version B. */
export function SplitTrafficForm({ numbers, ...props }: Props & { numbers: number[] }) {
  const [draft, setDraft] = useState(() => splitDraft(props.release, numbers));
  const release = useRelease(props);
  const errors = fieldErrors(release.error);
  const options = numbers.map((n) => ({ value: String(n), label: `Version ${n}` }));
  const set = (key: keyof typeof draft) => (event: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: event.target.value }));
  return (
    <form
      noValidate
      aria-label="Split traffic"
      onSubmit={(event) => {
        event.preventDefault();
        release.mutate({ orgSlug: props.orgSlug, apiId: props.apiId, release: splitRelease(draft) });
      }}
    >
      <h3>Split traffic</h3>
      <div className="grid gap-x-4 sm:grid-cols-3">
        <SelectControl
          id="split-a"
          label="Version A"
          options={options}
          value={draft.versionA}
          error={errors['release.versionA']}
          onChange={set('versionA')}
        />
        <SelectControl
          id="split-b"
          label="Version B"
          options={options}
          value={draft.versionB}
          error={errors['release.versionB']}
          onChange={set('versionB')}
        />
        <Field
          id="split-weight"
          label="Calls to B (%)"
          type="number"
          min={0}
          max={100}
          inputMode="numeric"
          value={draft.weightB}
          error={errors['release.weightB']}
          onChange={set('weightB')}
        />
      </div>
      <FormMessage message={formError(release.error)} />
      <div className="form-actions">
        <Button type="submit" disabled={release.isPending}>
          {release.isPending ? 'Releasing…' : 'Release the split'}
        </Button>
        {props.release ? (
          <Button
            variant="secondary"
            disabled={release.isPending}
            onClick={() => release.mutate({ orgSlug: props.orgSlug, apiId: props.apiId, release: null })}
          >
            Serve the working copy instead
          </Button>
        ) : null}
      </div>
    </form>
  );
}
