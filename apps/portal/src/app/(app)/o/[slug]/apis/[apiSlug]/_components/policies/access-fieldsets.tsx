'use client';

import {
  CheckboxField,
  MethodChecksField,
  NumberField,
  TextAreaField,
} from '../../../../../../../../components/forms/fields';

/** Who may call: IP allow and deny lists. */
export function IpRulesFieldset() {
  return (
    <fieldset className="group">
      <legend>IP rules</legend>
      <div className="row">
        <TextAreaField
          name="ipAllow"
          id="ip-allow"
          label="IP allow list"
          hint="One IP or CIDR per line. When set, only these clients may call."
          placeholder="203.0.113.0/24"
        />
        <TextAreaField
          name="ipDeny"
          id="ip-deny"
          label="IP deny list"
          hint="One IP or CIDR per line. Always refused (403)."
          placeholder="198.51.100.7/32"
        />
      </div>
    </fieldset>
  );
}

/** What a request may be: methods, sizes and validation against the OpenAPI document. */
export function RequestsFieldset() {
  return (
    <fieldset className="group">
      <legend>Requests</legend>
      <MethodChecksField
        name="allowedMethods"
        idPrefix="allowed-method"
        legend="Allowed methods"
        hint="None checked: every method is allowed."
      />
      <div className="row">
        <NumberField name="maxBodyBytes" id="max-body-bytes" label="Max body (bytes)" min={0} />
        <NumberField name="maxHeaderCount" id="max-header-count" label="Max header count" min={1} />
        <NumberField name="maxHeaderBytes" id="max-header-bytes" label="Max header size (bytes)" min={256} />
      </div>
      <CheckboxField
        name="validateRequests"
        id="validate-requests"
        label="Validate requests against the OpenAPI document"
      />
    </fieldset>
  );
}
