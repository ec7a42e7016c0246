'use client';

import { ListError, TextAreaField } from '../../../../../../../../components/forms/fields';

/** Headers set, removed and renamed on the way to the upstream or back to the client. */
export function HeaderFieldset({
  prefix,
  title,
}: {
  prefix: 'requestHeaders' | 'responseHeaders';
  title: string;
}) {
  return (
    <fieldset className="group">
      <legend>{title}</legend>
      <div className="row">
        <TextAreaField
          name={`${prefix}.add`}
          id={`${prefix}-add`}
          label="Set headers"
          hint="One per line: name: value"
        />
        <TextAreaField
          name={`${prefix}.remove`}
          id={`${prefix}-remove`}
          label="Remove headers"
          hint="One name per line"
        />
        <TextAreaField
          name={`${prefix}.rename`}
          id={`${prefix}-rename`}
          label="Rename headers"
          hint="One per line: from: to"
        />
      </div>
      <ListError path={prefix} />
    </fieldset>
  );
}
