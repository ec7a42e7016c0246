/**
 * The pure parts of the data-scale benchmark (`npm run bench:scale`): size labels, medians, the rows of
 * the result table and its markdown. No I/O here, so all of it is unit-tested.
 */

/** What a figure is compared with: `value op limit`. */
interface ScaleTarget {
  op: '<=' | '>=';
  limit: number;
}

/** One line of the result table. `value: null` = not measured (`note` says why, `error` when it failed). */
export interface ScaleRow {
  /** the measurement threw: its message */
  error?: string;
  measure: string;
  /** the data size the figure was measured at, e.g. "1m rows" */
  size: string;
  value: number | null;
  unit: string;
  target?: ScaleTarget;
  note?: string;
}

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)([km]?)$/;
const SIZE_FACTOR: Record<string, number> = { '': 1, k: 1_000, m: 1_000_000 };

/** `1m` → 1,000,000; `500k` → 500,000; `2.5m` → 2,500,000; `250000` → 250,000. */
export function parseSize(label: string): number {
  const match = SIZE_PATTERN.exec(label.trim().toLowerCase());
  if (!match) throw new Error(`"${label}" is not a size: use a row count such as 1m, 500k or 250000`);
  const rows = Math.round(Number(match[1]) * (SIZE_FACTOR[match[2] ?? ''] ?? 1));
  if (rows < 1_000) throw new Error(`"${label}" is too small: at least 1k rows`);
  if (rows > 100_000_000) throw new Error(`"${label}" is too large: at most 100m rows`);
  return rows;
}

/** A comma-separated list of sizes (BENCH_SCALE_SIZES), each once, smallest first. */
export function parseSizes(list: string): number[] {
  const labels = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (labels.length === 0) throw new Error('no size given: use e.g. 1m,5m,20m');
  return [...new Set(labels.map(parseSize))].sort((a, b) => a - b);
}

/** 1,000,000 → "1m", 500,000 → "500k", 2,500,000 → "2.5m", 1,234 → "1,234". */
export function sizeLabel(rows: number): string {
  if (rows >= 1_000_000 && rows % 100_000 === 0) return `${rows / 1_000_000}m`;
  if (rows >= 1_000 && rows % 1_000 === 0) return `${rows / 1_000}k`;
  return rows.toLocaleString('en-US');
}

/** How `total` rows split over the days: equal shares, the last day takes the remainder. */
export function dayChunks(total: number, days: number): Array<{ day: number; first: number; count: number }> {
  const perDay = Math.floor(total / days);
  return Array.from({ length: days }, (_, day) => ({
    day,
    first: day * perDay + 1,
    count: day === days - 1 ? total - perDay * (days - 1) : perDay,
  }));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** PASS / FAIL against the target; '' without one; 'not measured' without a value; ERROR when it threw. */
export function verdict(row: ScaleRow): string {
  if (row.error !== undefined) return 'ERROR';
  if (row.value === null) return 'not measured';
  if (!row.target) return '';
  const pass = row.target.op === '<=' ? row.value <= row.target.limit : row.value >= row.target.limit;
  return pass ? 'PASS' : 'FAIL';
}

/** A figure with the precision its unit deserves, thousands separated. */
export function formatValue(value: number, unit: string, whole = false): string {
  const digits = whole ? 0 : unit === 'ms' ? (value < 10 ? 2 : 1) : unit === 's' ? 2 : unit === 'MB' ? 1 : 0;
  const text = value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return unit === '' ? text : `${text} ${unit}`;
}

function formatTarget(target: ScaleTarget | undefined, unit: string): string {
  if (!target) return '';
  return `${target.op === '<=' ? '≤' : '≥'} ${formatValue(target.limit, unit, Number.isInteger(target.limit))}`;
}

const cell = (text: string) => text.replaceAll('|', '\\|');

/** The result table as markdown: one line per figure, its target beside it, then PASS/FAIL. */
export function renderScaleTable(rows: readonly ScaleRow[]): string {
  const lines = [
    '| measure | data | value | target | verdict | note |',
    '| --- | --- | ---: | ---: | --- | --- |',
    ...rows.map((row) => {
      const cells = [
        cell(row.measure),
        cell(row.size),
        row.value === null ? '—' : formatValue(row.value, row.unit),
        formatTarget(row.target, row.unit),
        verdict(row),
        cell(row.error ?? row.note ?? ''),
      ];
      return `| ${cells.join(' | ')} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

/** How many rows failed their target. */
export const failures = (rows: readonly ScaleRow[]) => rows.filter((row) => verdict(row) === 'FAIL').length;

/** A part that threw: one row that says so, and the rest of the run goes on. */
export function errorRow(measure: string, size: string, error: unknown): ScaleRow {
  const message = error instanceof Error ? error.message : String(error);
  return { measure, size, value: null, unit: '', error: message.replace(/\s+/g, ' ').trim().slice(0, 300) };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function toTarget(raw: Record<string, unknown>): ScaleTarget | undefined {
  const target = raw.target;
  if (isRecord(target) && (target.op === '<=' || target.op === '>=') && typeof target.limit === 'number') {
    return { op: target.op, limit: target.limit };
  }
  // A bare number: a ceiling for times and sizes, a floor for rates.
  if (typeof target === 'number') {
    return { op: typeof raw.unit === 'string' && raw.unit.endsWith('/s') ? '>=' : '<=', limit: target };
  }
  if (typeof raw.targetMs === 'number') return { op: '<=', limit: raw.targetMs };
  return undefined;
}

/**
 * Rows from a measurement module written apart from this driver (analytics, gateway memory, metrics
 * scrape). Either rows — an array, or `{ rows }` — each with `measure` (or `name`) and a numeric
 * `value`, and optionally `unit`, `size`, `note` and `target` ({ op, limit } or a number) or `targetMs`;
 * or a result object, whose figures become rows: each finite number (…Bytes in MB, …Ms in ms), one
 * level of nested objects as `outer.inner`, and each boolean as a check that passes when true. Anything
 * else becomes one row that says what was returned, so nothing is dropped silently.
 */
export function externalRows(part: string, result: unknown): ScaleRow[] {
  const list = Array.isArray(result)
    ? result
    : isRecord(result) && Array.isArray(result.rows)
      ? result.rows
      : null;
  if (list) {
    return list.map((raw, i) => {
      if (!isRecord(raw)) return unreadable(part, raw);
      const measure =
        typeof raw.measure === 'string' ? raw.measure : typeof raw.name === 'string' ? raw.name : '';
      const value = typeof raw.value === 'number' && Number.isFinite(raw.value) ? raw.value : null;
      return {
        measure: measure === '' ? `${part} #${i + 1}` : `${part}: ${measure}`,
        size: typeof raw.size === 'string' ? raw.size : '',
        value,
        unit: typeof raw.unit === 'string' ? raw.unit : 'ms',
        target: toTarget(raw),
        note:
          typeof raw.note === 'string' ? raw.note : value === null ? 'no numeric value returned' : undefined,
      };
    });
  }
  if (isRecord(result)) {
    const rows = figureRows(part, '', result, 2);
    if (rows.length > 0) return rows;
  }
  return [unreadable(part, result)];
}

const MB = 1024 * 1024;

function figureRows(
  part: string,
  prefix: string,
  record: Record<string, unknown>,
  depth: number,
): ScaleRow[] {
  const rows: ScaleRow[] = [];
  for (const [key, value] of Object.entries(record)) {
    const name = `${prefix}${key}`;
    const measure = `${part}: ${name}`;
    if (typeof value === 'number' && Number.isFinite(value)) {
      // camelCase units: peakRssBytes, cacheBytes.keys, scrapeMs (not "items")
      if (/(?:^|\.)bytes(?:\.|$)|Bytes(?:\.|$)/.test(name)) {
        rows.push({ measure, size: '', value: value / MB, unit: 'MB' });
      } else if (/(?:^|\.)ms(?:\.|$)|Ms(?:\.|$)/.test(name))
        rows.push({ measure, size: '', value, unit: 'ms' });
      else rows.push({ measure, size: '', value, unit: '' });
    } else if (typeof value === 'boolean') {
      rows.push({
        measure,
        size: '',
        value: value ? 1 : 0,
        unit: '',
        target: { op: '>=', limit: 1 },
        note: String(value),
      });
    } else if (isRecord(value) && depth > 1) {
      rows.push(...figureRows(part, `${prefix}${key}.`, value, depth - 1));
    }
  }
  return rows;
}

function unreadable(part: string, value: unknown): ScaleRow {
  const text =
    JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  return {
    measure: part,
    size: '',
    value: null,
    unit: '',
    note: `unreadable result: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`,
  };
}

/** One untimed call (plans and pages warm, as for an explorer in use), then the median of `runs` timed calls, in ms. */
export async function timeMedianMs(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return median(times);
}
