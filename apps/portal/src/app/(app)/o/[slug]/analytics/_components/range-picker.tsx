'use client';

import { useState } from 'react';
import { parseUtcInput, utcInputValue } from '~/lib/format';
import { Field, FormError } from '../../../../../../components/form';
import styles from '../analytics.module.css';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MAX_RANGE_DAYS = 400;

const PRESETS = [
  { id: '24h', label: '24 hours', ms: DAY_MS },
  { id: '7d', label: '7 days', ms: 7 * DAY_MS },
  { id: '30d', label: '30 days', ms: 30 * DAY_MS },
  { id: '90d', label: '90 days', ms: 90 * DAY_MS },
] as const;
export type PresetId = (typeof PRESETS)[number]['id'] | 'custom';

export interface TimeRange {
  preset: PresetId;
  from: Date;
  to: Date;
}

/**
 * The last `preset` up to the end of the current minute: fixed when picked, so the queries' keys stay
 * the same between renders (refetching is react-query's job, not a moving clock's).
 */
export function presetRange(preset: Exclude<PresetId, 'custom'>, now = Date.now()): TimeRange {
  const to = Math.ceil(now / 60_000) * 60_000;
  const length = PRESETS.find((p) => p.id === preset)?.ms ?? DAY_MS;
  return { preset, from: new Date(to - length), to: new Date(to) };
}

export function RangePicker({ value, onChange }: { value: TimeRange; onChange: (range: TimeRange) => void }) {
  const [custom, setCustom] = useState(value.preset === 'custom');
  const [from, setFrom] = useState(utcInputValue(value.from));
  const [to, setTo] = useState(utcInputValue(value.to));
  const [error, setError] = useState<string | null>(null);

  function applyCustom() {
    const start = parseUtcInput(from);
    const end = parseUtcInput(to);
    if (!start || !end) return setError('Enter both a start and an end.');
    if (end <= start) return setError('The end must be after the start.');
    if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      return setError(`The range can be at most ${MAX_RANGE_DAYS} days.`);
    }
    setError(null);
    onChange({ preset: 'custom', from: start, to: end });
  }

  return (
    <fieldset className={styles.range}>
      <legend>Time range</legend>
      <div className={styles.segmented}>
        {PRESETS.map((preset) => (
          <button
            key={preset.id}
            type="button"
            className={value.preset === preset.id && !custom ? undefined : 'secondary'}
            aria-pressed={value.preset === preset.id && !custom}
            onClick={() => {
              setCustom(false);
              onChange(presetRange(preset.id));
            }}
          >
            {preset.label}
          </button>
        ))}
        <button
          type="button"
          className={custom ? undefined : 'secondary'}
          aria-pressed={custom}
          onClick={() => setCustom(true)}
        >
          Custom
        </button>
      </div>
      {custom ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            applyCustom();
          }}
        >
          <Field
            id="range-from"
            label="From (UTC)"
            type="datetime-local"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
          <Field
            id="range-to"
            label="To (UTC)"
            type="datetime-local"
            value={to}
            onChange={(e) => setTo(e.target.value)}
          />
          <button type="submit">Apply</button>
        </form>
      ) : null}
      <FormError message={error} />
    </fieldset>
  );
}
