'use client';

import { useFormContext, useWatch } from 'react-hook-form';
import {
  CheckboxField,
  ListError,
  NumberField,
  SelectField,
  TextField,
} from '../../../../../../../../components/forms/fields';
import type { Draft } from '../pricing-draft';

const QUOTA_MODES = [
  { value: 'hard_cap', label: 'Stop at the quota (never billed beyond it)' },
  { value: 'bill_overage', label: 'Keep serving and bill beyond it' },
];
const BILLABLE = [
  { value: 'below_500', label: 'Every response below 500' },
  { value: 'success_only', label: 'Successful responses only (2xx, 3xx)' },
  { value: 'all_admitted', label: 'Every admitted request' },
];

/** What happens at the quota, which responses count, the trial, and token prices for AI APIs. */
export function TermsFields({ id }: { id: (name: string) => string }) {
  const { control } = useFormContext<Draft>();
  const [model, tokens] = useWatch({ control, name: ['model', 'tokens'] });
  const paid = model !== 'free';
  return (
    <>
      <div className="row">
        <SelectField
          name="quotaMode"
          id={id('quota-mode')}
          label="At the monthly quota"
          options={QUOTA_MODES}
        />
        <SelectField name="billable" id={id('billable')} label="Billable responses" options={BILLABLE} />
        <NumberField
          name="trialDays"
          id={id('trial')}
          label="Free trial (days)"
          min={0}
          max={365}
          placeholder="No trial"
        />
      </div>
      {paid ? <CheckboxField name="tokens" id={id('tokens')} label="Charge for AI tokens" /> : null}
      {paid && tokens ? (
        <div className="row">
          <TextField
            name="tokenPrices.inputPerMillion"
            id={id('tokens-in')}
            label="Input tokens, per million"
            inputMode="decimal"
          />
          <TextField
            name="tokenPrices.outputPerMillion"
            id={id('tokens-out')}
            label="Output tokens, per million"
            inputMode="decimal"
          />
        </div>
      ) : null}
      <ListError path="tokenPrices" />
    </>
  );
}
