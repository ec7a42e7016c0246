'use client';

import { FieldShell } from '~/components/ui/field';
import { Select } from '~/components/ui/select';
import { type Access, type ScopeChoice, TOKEN_AREAS } from './scopes';

const ACCESS_OPTIONS = [
  { value: 'none', label: 'No access' },
  { value: 'read', label: 'Read' },
  { value: 'write', label: 'Read and write' },
];

/** One read/write choice per area. */
export function ScopePicker({
  value,
  onChange,
  error,
}: {
  value: ScopeChoice;
  onChange: (next: ScopeChoice) => void;
  error?: string | undefined;
}) {
  return (
    <fieldset className="m-0 mb-3 border-0 p-0">
      <legend className="mb-2 text-sm font-semibold">Scopes</legend>
      <div className="grid grid-cols-1 gap-x-3 sm:grid-cols-2">
        {TOKEN_AREAS.map(({ area, label, hint }) => (
          <FieldShell key={area} id={`scope-${area}`} label={label} hint={hint} className="mb-2">
            <Select
              id={`scope-${area}`}
              value={value[area]}
              onValueChange={(access) => onChange({ ...value, [area]: access as Access })}
              options={ACCESS_OPTIONS}
            />
          </FieldShell>
        ))}
      </div>
      {error ? <p className="m-0 text-sm text-danger">{error}</p> : null}
    </fieldset>
  );
}
