'use client';

import { type ChangeEvent, useState } from 'react';

/** The server refuses larger documents; the browser says so before reading the file. */
const MAX_BYTES = 1_000_000;

/**
 * "Upload a file" for an OpenAPI document (.json, .yaml, .yml): reads it as text and hands it to
 * `onText`, which puts it in the document field so it can be checked before saving.
 */
export function OpenApiFileInput({ id, onText }: { id: string; onText: (text: string) => void }) {
  const [fileError, setFileError] = useState<string | null>(null);
  const errorId = `${id}-error`;

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    setFileError(null);
    const file = event.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setFileError('The file is larger than 1 MB');
      return;
    }
    onText(await file.text());
  }

  return (
    <div className="field">
      <label htmlFor={id}>Upload a file</label>
      <input
        id={id}
        type="file"
        accept="application/json,application/yaml,text/yaml,.json,.yaml,.yml"
        onChange={onFile}
        aria-invalid={fileError ? true : undefined}
        aria-describedby={fileError ? errorId : undefined}
      />
      {fileError ? (
        <p id={errorId} className="field-error">
          {fileError}
        </p>
      ) : null}
    </div>
  );
}
