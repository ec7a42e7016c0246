'use client';

import { useState } from 'react';
import { Button } from '~/components/ui/button';
import { Field, FormMessage } from '~/components/ui/field';
import { FilterBar } from '~/components/ui/filter-bar';
import { utcInputValue } from '~/lib/format';
import { customRange, PRESETS, presetRange, type TimeRange } from './range';

export { presetRange, type TimeRange } from './range';

/** Preset ranges applied at a click, and a custom UTC range applied with its own button. */
export function RangePicker({ value, onChange }: { value: TimeRange; onChange: (range: TimeRange) => void }) {
  const [custom, setCustom] = useState(value.preset === 'custom');
  const [from, setFrom] = useState(utcInputValue(value.from));
  const [to, setTo] = useState(utcInputValue(value.to));
  const [error, setError] = useState<string | null>(null);

  function applyCustom() {
    const range = customRange(from, to);
    if ('error' in range) return setError(range.error);
    setError(null);
    onChange(range);
  }

  return (
    <fieldset className="m-0 mb-4 min-w-0 border-0 p-0">
      <legend className="mb-1.5 p-0 text-sm font-semibold">Time range</legend>
      <div className="mb-2 flex flex-wrap gap-1.5">
        {PRESETS.map((preset) => {
          const pressed = value.preset === preset.id && !custom;
          return (
            <Button
              key={preset.id}
              size="sm"
              variant={pressed ? 'primary' : 'secondary'}
              aria-pressed={pressed}
              onClick={() => {
                setCustom(false);
                setError(null);
                onChange(presetRange(preset.id));
              }}
            >
              {preset.label}
            </Button>
          );
        })}
        <Button
          size="sm"
          variant={custom ? 'primary' : 'secondary'}
          aria-pressed={custom}
          onClick={() => setCustom(true)}
        >
          Custom
        </Button>
      </div>
      {custom ? (
        <FilterBar label="Custom range" onApply={applyCustom} className="mb-0">
          <Field
            id="range-from"
            label="From (UTC)"
            type="datetime-local"
            fieldClassName="filter-field mb-0"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
          <Field
            id="range-to"
            label="To (UTC)"
            type="datetime-local"
            fieldClassName="filter-field mb-0"
            value={to}
            onChange={(e) => setTo(e.target.value)}
          />
        </FilterBar>
      ) : null}
      <FormMessage message={error} />
    </fieldset>
  );
}
