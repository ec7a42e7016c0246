'use client';

import { useFormContext } from 'react-hook-form';
import { TextAreaField } from '~/components/forms/fields';
import { OpenApiFileInput } from '~/components/openapi-file-input';

/**
 * The optional OpenAPI document imported with a new REST API (the form's `openapiDocument`): pasted,
 * or read from an uploaded .json/.yaml file into the same field so it can be checked before creating.
 * The server parses it.
 */
export function OpenApiImport() {
  const { setValue } = useFormContext();
  return (
    <fieldset className="group">
      <legend>OpenAPI document (optional)</legend>
      <OpenApiFileInput
        id="api-openapi-file"
        onText={(text) => setValue('openapiDocument', text, { shouldDirty: true })}
      />
      <TextAreaField
        name="openapiDocument"
        id="api-openapi"
        label="OpenAPI document (JSON or YAML)"
        className="code-input"
        rows={8}
        hint="OpenAPI 3.0 or 3.1. It becomes the API reference in the catalog; you can change it later."
      />
    </fieldset>
  );
}
