'use client';

import {
  CheckboxField,
  MethodChecksField,
  NumberField,
  TextAreaField,
  TextField,
} from '../../../../../../../../components/forms/fields';

/** Cross-origin requests from browsers. */
export function CorsFieldset() {
  return (
    <fieldset className="group">
      <legend>CORS</legend>
      <CheckboxField name="cors.enabled" id="cors-enabled" label="Answer CORS requests" />
      <TextAreaField
        name="cors.allowOrigins"
        id="cors-origins"
        label="Allowed origins"
        hint="One per line, e.g. https://app.example.com, or * for any origin."
      />
      <MethodChecksField name="cors.allowMethods" idPrefix="cors-method" legend="Allowed CORS methods" />
      <div className="row">
        <TextField
          name="cors.allowHeaders"
          id="cors-headers"
          label="Allowed request headers"
          hint="Comma-separated"
        />
        <TextField
          name="cors.exposeHeaders"
          id="cors-expose"
          label="Exposed response headers"
          hint="Comma-separated"
        />
        <NumberField
          name="cors.maxAgeSeconds"
          id="cors-max-age"
          label="Preflight max age (seconds)"
          min={0}
        />
      </div>
      <CheckboxField name="cors.allowCredentials" id="cors-credentials" label="Allow credentials" />
    </fieldset>
  );
}
