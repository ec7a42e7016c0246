'use client';

import { useFieldArray, useFormContext } from 'react-hook-form';
import { ListError, TextField } from '../../../../../../../../components/forms/fields';
import { type Draft, NEW_TOOL_PRICE } from '../pricing-draft';

const MAX_TOOL_PRICES = 500;

/** MCP tools with their own price per call: those calls are billed at it instead of the request price. */
export function ToolPricesFieldset({ id }: { id: (name: string) => string }) {
  const { control } = useFormContext<Draft>();
  const rows = useFieldArray({ control, name: 'toolPrices' });
  return (
    <fieldset className="group">
      <legend>Tool prices</legend>
      <p className="m-0 text-sm text-muted">
        Calls of these MCP tools are billed at their own price instead of the price per request. Other tools’
        calls count as requests.
      </p>
      {rows.fields.length === 0 ? <p className="muted">No tool prices.</p> : null}
      {rows.fields.map((field, i) => (
        <div className="limit-row" key={field.id}>
          <TextField name={`toolPrices.${i}.tool`} id={id(`tool${i}-name`)} label={`Tool ${i + 1} name`} />
          <TextField
            name={`toolPrices.${i}.price`}
            id={id(`tool${i}-price`)}
            label={`Tool ${i + 1} price per call`}
            inputMode="decimal"
          />
          <button
            type="button"
            className="secondary"
            aria-label={`Remove the price of tool ${i + 1}`}
            onClick={() => rows.remove(i)}
          >
            Remove
          </button>
        </div>
      ))}
      <ListError path="toolPrices" />
      {rows.fields.length < MAX_TOOL_PRICES ? (
        <button type="button" className="secondary" onClick={() => rows.append(NEW_TOOL_PRICE)}>
          Add tool price
        </button>
      ) : null}
    </fieldset>
  );
}
