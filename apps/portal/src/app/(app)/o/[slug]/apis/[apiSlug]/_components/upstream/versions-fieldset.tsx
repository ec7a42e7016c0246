'use client';

import { useFieldArray, useFormContext } from 'react-hook-form';
import { Button } from '~/components/ui/button';
import { ListError, TextAreaField, TextField } from '../../../../../../../../components/forms/fields';
import type { UpstreamDraft } from './upstream-draft';

/** Per-version targets: the first path segment picks a version. */
export function VersionsFieldset({ canWrite }: { canWrite: boolean }) {
  const { control } = useFormContext<UpstreamDraft>();
  const versions = useFieldArray({ control, name: 'versions' });
  return (
    <fieldset className="group">
      <legend>Versions</legend>
      <p className="hint">
        A request whose first path segment names a version goes to that version's targets.
      </p>
      {versions.fields.map((field, i) => (
        <div className="version-row" key={field.id}>
          <TextField
            name={`versions.${i}.name`}
            id={`version-${i}-name`}
            label={`Version ${i + 1} name`}
            placeholder="v2"
          />
          <TextAreaField
            name={`versions.${i}.targets`}
            id={`version-${i}-targets`}
            label="Targets"
            hint="One per line: URL and optional weight"
          />
          {canWrite ? (
            <Button
              variant="secondary"
              className="mt-[1.6rem] mb-4"
              aria-label={`Remove version ${i + 1}`}
              onClick={() => versions.remove(i)}
            >
              Remove
            </Button>
          ) : null}
        </div>
      ))}
      <ListError path="versions" />
      {canWrite ? (
        <Button
          variant="secondary"
          className="mb-4"
          onClick={() => versions.append({ name: '', targets: '' })}
        >
          Add version
        </Button>
      ) : null}
    </fieldset>
  );
}
