'use client';

import type { ReactElement } from 'react';
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { bucketLabel, count, ms, percent, utcMinute } from '~/lib/format';
import styles from '../analytics.module.css';

export interface ChartPoint {
  t: Date;
  requests: number;
  errors: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

type Grain = 'hour' | 'day';

// Colours chosen for contrast on white (WCAG AA for the text-sized legend swatches).
const ACCENT = '#2f5bd3';
const DANGER = '#c23030';
const P50 = '#1f7a3d';
const P95 = '#9a6200';
const P99 = '#c23030';
const TICK = { fill: '#5b6470', fontSize: 12 };

/**
 * A chart with its caption. The SVG is a picture for screen readers (role="img" with a one-line
 * summary); the numbers it shows are also in the stat tiles and tables around it.
 */
function ChartFrame({
  title,
  summary,
  testId,
  children,
}: {
  title: string;
  summary: string;
  testId: string;
  children: ReactElement;
}) {
  return (
    <figure className={styles.chart} data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div className={styles.plot} role="img" aria-label={summary}>
        <ResponsiveContainer
          width="100%"
          height="100%"
          minWidth={0}
          initialDimension={{ width: 320, height: 220 }}
        >
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

const rows = (points: ChartPoint[], grain: Grain) =>
  points.map((p) => ({
    ...p,
    label: bucketLabel(p.t, grain),
    when: utcMinute(p.t),
    errorPercent: p.errorRate === null ? null : p.errorRate * 100,
  }));

const tooltipLabel = (_: unknown, payload: ReadonlyArray<{ payload?: { when?: string } }>) =>
  `${payload[0]?.payload?.when ?? ''} UTC`;

export function RequestsChart({ points, grain }: { points: ChartPoint[]; grain: Grain }) {
  const total = points.reduce((sum, p) => sum + p.requests, 0);
  return (
    <ChartFrame
      title="Requests"
      testId="chart-requests"
      summary={`${count(total)} requests in ${points.length} ${grain === 'hour' ? 'hours' : 'days'}`}
    >
      <BarChart data={rows(points, grain)} accessibilityLayer={false} margin={{ left: 0, right: 8, top: 4 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={TICK} minTickGap={16} />
        <YAxis tick={TICK} allowDecimals={false} width={48} tickFormatter={(v: number) => count(v)} />
        <Tooltip labelFormatter={tooltipLabel} formatter={(v) => [count(Number(v)), 'Requests']} />
        <Bar dataKey="requests" name="Requests" fill={ACCENT} isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  );
}

export function ErrorRateChart({ points, grain }: { points: ChartPoint[]; grain: Grain }) {
  const errors = points.reduce((sum, p) => sum + p.errors, 0);
  return (
    <ChartFrame
      title="Error rate (5xx)"
      testId="chart-errors"
      summary={`${count(errors)} server errors in the range`}
    >
      <LineChart data={rows(points, grain)} accessibilityLayer={false} margin={{ left: 0, right: 8, top: 4 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={TICK} minTickGap={16} />
        <YAxis tick={TICK} width={48} tickFormatter={(v: number) => `${v}%`} />
        <Tooltip labelFormatter={tooltipLabel} formatter={(v) => [percent(Number(v) / 100), 'Error rate']} />
        <Line
          dataKey="errorPercent"
          name="Error rate"
          stroke={DANGER}
          dot={false}
          connectNulls={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFrame>
  );
}

export function LatencyChart({ points, grain }: { points: ChartPoint[]; grain: Grain }) {
  return (
    <ChartFrame
      title="Latency"
      testId="chart-latency"
      summary="Latency percentiles p50, p95 and p99 per time bucket"
    >
      <LineChart data={rows(points, grain)} accessibilityLayer={false} margin={{ left: 0, right: 8, top: 4 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={TICK} minTickGap={16} />
        <YAxis tick={TICK} width={56} tickFormatter={(v: number) => ms(v)} />
        <Tooltip labelFormatter={tooltipLabel} formatter={(v, name) => [ms(Number(v)), String(name)]} />
        <Legend />
        <Line dataKey="p50" name="p50" stroke={P50} dot={false} isAnimationActive={false} />
        <Line dataKey="p95" name="p95" stroke={P95} dot={false} isAnimationActive={false} />
        <Line
          dataKey="p99"
          name="p99"
          stroke={P99}
          dot={false}
          strokeDasharray="4 2"
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFrame>
  );
}

export interface BurnDown {
  quota: number | null;
  used: number;
  projected: number;
  period: { start: Date; end: Date };
  points: Array<{ t: Date; used: number }>;
}

export function BurnDownChart({ burn }: { burn: BurnDown }) {
  const data = burn.points.map((p) => ({ x: p.t.getTime(), used: p.used, when: utcMinute(p.t) }));
  const last = burn.points.at(-1);
  const projection =
    last && last.t.getTime() < burn.period.end.getTime()
      ? [
          { x: last.t.getTime(), projected: last.used },
          { x: burn.period.end.getTime(), projected: burn.projected },
        ]
      : [];
  const top = Math.max(burn.quota ?? 0, burn.projected, burn.used, 1);
  return (
    <ChartFrame
      title="Quota burn-down"
      testId="chart-burn-down"
      summary={`${count(burn.used)} of ${burn.quota === null ? 'unlimited' : count(burn.quota)} requests used this period; projected ${count(burn.projected)}`}
    >
      <AreaChart
        data={[...data, ...projection]}
        accessibilityLayer={false}
        margin={{ left: 0, right: 8, top: 8 }}
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis
          dataKey="x"
          type="number"
          scale="time"
          domain={[burn.period.start.getTime(), burn.period.end.getTime()]}
          tick={TICK}
          tickFormatter={(v: number) => bucketLabel(new Date(v), 'day')}
        />
        <YAxis
          tick={TICK}
          width={56}
          domain={[0, Math.ceil(top * 1.05)]}
          tickFormatter={(v: number) => count(v)}
        />
        <Tooltip
          labelFormatter={(v) => `${utcMinute(new Date(Number(v)))} UTC`}
          formatter={(v, name) => [count(Number(v)), String(name)]}
        />
        <Legend />
        {burn.quota !== null ? (
          <ReferenceLine
            y={burn.quota}
            stroke={DANGER}
            strokeDasharray="6 3"
            label={{ value: 'Quota', fill: DANGER, fontSize: 12, position: 'insideTopLeft' }}
          />
        ) : null}
        <Area
          dataKey="used"
          name="Used"
          stroke={ACCENT}
          fill={ACCENT}
          fillOpacity={0.15}
          isAnimationActive={false}
        />
        <Area
          dataKey="projected"
          name="Projected"
          stroke={P95}
          strokeDasharray="4 3"
          fill="none"
          connectNulls
          isAnimationActive={false}
        />
      </AreaChart>
    </ChartFrame>
  );
}
