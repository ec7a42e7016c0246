'use client';

import { type ChangeEvent, useState } from 'react';
import { TextAreaField } from '../../../../../../../components/config-fields';

const MAX_BYTES = 1_000_000;

/**
 * The optional OpenAPI document imported with a new REST API: pasted, or read from an uploaded
 * .json/.yaml file into the same field so it can be checked before creating. The server parses it.
 */
export function OpenApiImport({
  value,
  error,
  onChange,
}: {
  value: string;
  error: string | undefined;
  onChange: (text: string) => void;
}) {
  const [fileError, setFileError] = useState<string | null>(null);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    setFileError(null);
    const file = event.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setFileError('The file is larger than 1 MB');
      return;
    }
    onChange(await file.text());
  }

  return (
    <fieldset className="group">
      <legend>OpenAPI document (optional)</legend>
      <div className="field">
        <label htmlFor="api-openapi-file">Upload a file</label>
        <input
          id="api-openapi-file"
          type="file"
          accept="application/json,application/yaml,text/yaml,.json,.yaml,.yml"
          onChange={onFile}
          aria-invalid={fileError ? true : undefined}
          aria-describedby={fileError ? 'api-openapi-file-error' : undefined}
        />
        {fileError ? (
          <p id="api-openapi-file-error" className="field-error">
            {fileError}
          </p>
        ) : null}
      </div>
      <TextAreaField
        id="api-openapi"
        label="OpenAPI document (JSON or YAML)"
        className="code-input"
        rows={8}
        value={value}
        error={error}
        hint="OpenAPI 3.0 or 3.1. It becomes the API reference in the catalog; you can change it later."
        onChange={(e) => onChange(e.target.value)}
      />
    </fieldset>
  );
}
