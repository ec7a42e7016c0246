import { parseUtcInput } from '../../../../../../lib/format';

const DAY_MS = 24 * 3_600_000;
const MAX_RANGE_DAYS = 400;

export const PRESETS = [
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

/** The next longer preset than the range's, for "no traffic: look further back" (none past the longest). */
export function widerPreset(range: TimeRange): (typeof PRESETS)[number] | null {
  if (range.preset === 'custom') return null;
  const index = PRESETS.findIndex((p) => p.id === range.preset);
  return PRESETS[index + 1] ?? null;
}

/** A custom range typed as UTC datetime-local values, or why it cannot be charted. */
export function customRange(from: string, to: string): TimeRange | { error: string } {
  const start = parseUtcInput(from);
  const end = parseUtcInput(to);
  if (!start || !end) return { error: 'Enter both a start and an end.' };
  if (end <= start) return { error: 'The end must be after the start.' };
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    return { error: `The range can be at most ${MAX_RANGE_DAYS} days.` };
  }
  return { preset: 'custom', from: start, to: end };
}
