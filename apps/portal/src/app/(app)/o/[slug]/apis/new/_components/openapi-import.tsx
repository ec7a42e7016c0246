'use client';

import { OpenApiFileInput } from '~/components/openapi-file-input';
import { TextAreaField } from '../../../../../../../components/config-fields';

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
  return (
    <fieldset className="group">
      <legend>OpenAPI document (optional)</legend>
      <OpenApiFileInput id="api-openapi-file" onText={onChange} />
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
