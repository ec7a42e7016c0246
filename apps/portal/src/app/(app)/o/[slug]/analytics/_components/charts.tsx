'use client';

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { ACCENT, ChartFrame, TICK } from '~/components/charts/chart-frame';
import { count, ms, percent, utcMinute } from '~/lib/format';
import { DANGER, P50, P95, P99 } from './chart-colors';
import { ERROR_RATE_LABEL } from './error-rate';
import {
  type AxisFormat,
  axisFormat,
  bucketTicks,
  chartRows,
  needsDots,
  type SeriesPoint,
  tickLabel,
} from './series';

interface SeriesProps {
  points: SeriesPoint[];
  /** the range charted: decides how the time axis is labelled */
  from: Date;
  to: Date;
}

/** Rows in time order and a time axis labelled for the range (dates from a week up). */
function timeAxis({ points, from, to }: SeriesProps) {
  const rows = chartRows(points);
  const format: AxisFormat = axisFormat(from, to);
  const xAxis = (
    <XAxis
      dataKey="x"
      type="category"
      ticks={bucketTicks(
        rows.map((r) => r.x),
        format,
      )}
      interval={0}
      tick={TICK}
      tickFormatter={(v: number) => tickLabel(v, format)}
    />
  );
  return { rows, xAxis };
}

const tooltipLabel = (x: unknown) => `${utcMinute(new Date(Number(x)))} UTC`;
const MARGIN = { left: 0, right: 16, top: 4 };

export function RequestsChart(props: SeriesProps) {
  const { rows, xAxis } = timeAxis(props);
  const total = rows.reduce((sum, p) => sum + p.requests, 0);
  return (
    <ChartFrame title="Requests" testId="chart-requests" summary={`${count(total)} requests in the range`}>
      <BarChart data={rows} accessibilityLayer={false} margin={MARGIN}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        {xAxis}
        <YAxis tick={TICK} allowDecimals={false} width={48} tickFormatter={(v: number) => count(v)} />
        <Tooltip labelFormatter={tooltipLabel} formatter={(v) => [count(Number(v)), 'Requests']} />
        <Bar dataKey="requests" name="Requests" fill={ACCENT} minPointSize={1} isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  );
}

export function ErrorRateChart(props: SeriesProps) {
  const { rows, xAxis } = timeAxis(props);
  const errors = rows.reduce((sum, p) => sum + p.errors, 0);
  return (
    <ChartFrame
      title={ERROR_RATE_LABEL}
      testId="chart-errors"
      summary={`${count(errors)} server errors in the range`}
    >
      <LineChart data={rows} accessibilityLayer={false} margin={MARGIN}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        {xAxis}
        <YAxis tick={TICK} width={48} tickFormatter={(v: number) => `${v}%`} />
        <Tooltip labelFormatter={tooltipLabel} formatter={(v) => [percent(Number(v) / 100), 'Error rate']} />
        <Line
          dataKey="errorPercent"
          name="Error rate"
          stroke={DANGER}
          dot={needsDots(rows.map((r) => r.errorPercent))}
          connectNulls={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFrame>
  );
}

export function LatencyChart(props: SeriesProps) {
  const { rows, xAxis } = timeAxis(props);
  const dots = needsDots(rows.map((r) => r.p50));
  return (
    <ChartFrame
      title="Latency"
      testId="chart-latency"
      summary="Latency percentiles p50, p95 and p99 per time bucket"
    >
      <LineChart data={rows} accessibilityLayer={false} margin={MARGIN}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        {xAxis}
        <YAxis tick={TICK} width={56} tickFormatter={(v: number) => ms(v)} />
        <Tooltip labelFormatter={tooltipLabel} formatter={(v, name) => [ms(Number(v)), String(name)]} />
        <Legend />
        <Line dataKey="p50" name="p50" stroke={P50} dot={dots} isAnimationActive={false} />
        <Line dataKey="p95" name="p95" stroke={P95} dot={dots} isAnimationActive={false} />
        <Line
          dataKey="p99"
          name="p99"
          stroke={P99}
          dot={dots}
          strokeDasharray="4 2"
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFrame>
  );
}
