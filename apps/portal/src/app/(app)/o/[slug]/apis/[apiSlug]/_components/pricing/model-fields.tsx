'use client';

import { CURRENCY_CODES } from '@portcullis/core/billing/currency';
import { useFormContext, useWatch } from 'react-hook-form';
import { NumberField, SelectField, TextField } from '../../../../../../../../components/forms/fields';
import type { Draft, Model } from '../pricing-draft';

const MODELS: ReadonlyArray<{ value: Model; label: string }> = [
  { value: 'free', label: 'Free' },
  { value: 'flat', label: 'Flat fee per period' },
  { value: 'per_unit', label: 'Per request' },
  { value: 'graduated', label: 'Graduated tiers' },
  { value: 'included_overage', label: 'Included requests + overage' },
];
const CURRENCIES = CURRENCY_CODES.map((code) => ({ value: code, label: code.toUpperCase() }));

/** The pricing model, its currency and fee, and the prices the chosen model needs (tiers aside). */
export function ModelFields({ id }: { id: (name: string) => string }) {
  const { control } = useFormContext<Draft>();
  const model = useWatch({ control, name: 'model' });
  return (
    <>
      <div className="row">
        <SelectField name="model" id={id('model')} label="Pricing model" options={MODELS} />
        <SelectField name="currency" id={id('currency')} label="Currency" options={CURRENCIES} />
        {model !== 'free' ? (
          <TextField
            name="flatFee"
            id={id('flat-fee')}
            label="Fee per period"
            inputMode="decimal"
            placeholder="0.00"
          />
        ) : null}
      </div>
      {model === 'per_unit' ? (
        <TextField
          name="unitPrice"
          id={id('unit-price')}
          label="Price per request"
          inputMode="decimal"
          placeholder="0.001"
          hint="Sub-cent prices are kept exactly; each invoice line is rounded once."
        />
      ) : null}
      {model === 'included_overage' ? (
        <div className="row">
          <NumberField name="includedUnits" id={id('included')} label="Included requests" min={0} />
          <TextField
            name="overageUnitPrice"
            id={id('overage')}
            label="Price per extra request"
            inputMode="decimal"
            placeholder="0.001"
            hint="Billed when the plan keeps serving beyond the quota."
          />
        </div>
      ) : null}
    </>
  );
}
