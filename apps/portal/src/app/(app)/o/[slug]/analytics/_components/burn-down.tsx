'use client';

import type { Projection } from '@portcullis/core/usage-metrics';
import { Area, AreaChart, CartesianGrid, Legend, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { ACCENT, ChartFrame, TICK } from '~/components/charts/chart-frame';
import { count, utcMinute } from '~/lib/format';
import { DANGER, P95 } from './chart-colors';
import { tickLabel, timeTicks } from './series';

export interface BurnDown {
  quota: number | null;
  used: number;
  projection: Projection;
  period: { start: Date; end: Date };
  points: Array<{ t: Date; used: number }>;
}

const HOUR_MS = 3_600_000;

/** One sentence on where the period stands and where it is heading, or why there is no projection yet. */
export function burnSummary(burn: BurnDown): string {
  const of = burn.quota === null ? 'unlimited' : count(burn.quota);
  const used = `${count(burn.used)} of ${of} requests used since ${utcMinute(burn.period.start)} UTC.`;
  const p = burn.projection;
  if (p.kind === 'not_enough_data') {
    return `${used} Not enough data yet to project: check back in ${Math.ceil(p.needMs / HOUR_MS)} h.`;
  }
  const basis = p.basisMs >= 7 * 24 * HOUR_MS ? 'the last 7 days' : 'the period so far';
  const rough = p.rough ? ' (a rough estimate: under 3 days of data)' : '';
  const reach = p.reachesQuotaAt ? ` The quota is reached around ${utcMinute(p.reachesQuotaAt)} UTC.` : '';
  const cap = p.capped ? ' Requests past the quota are refused, so usage stops there.' : '';
  return `${used} At the pace of ${basis}, about ${count(p.projected)} by ${utcMinute(burn.period.end)} UTC${rough}.${reach}${cap}`;
}

export function BurnDownChart({ burn }: { burn: BurnDown }) {
  const data = burn.points.map((p) => ({ x: p.t.getTime(), used: p.used }));
  const last = burn.points.at(-1);
  const projected = burn.projection.kind === 'projected' ? burn.projection.projected : null;
  const projection =
    last && projected !== null && last.t.getTime() < burn.period.end.getTime()
      ? [
          { x: last.t.getTime(), projected: last.used },
          { x: burn.period.end.getTime(), projected },
        ]
      : [];
  const top = Math.max(burn.quota ?? 0, projected ?? 0, burn.used, 1);
  const start = burn.period.start.getTime();
  const end = burn.period.end.getTime();
  return (
    <ChartFrame
      title="Quota burn-down"
      testId="chart-burn-down"
      summary={`${count(burn.used)} of ${burn.quota === null ? 'unlimited' : count(burn.quota)} requests used this period; ${projected === null ? 'no projection yet' : `projected ${count(projected)}`}`}
    >
      <AreaChart
        data={[...data, ...projection]}
        accessibilityLayer={false}
        margin={{ left: 0, right: 16, top: 8 }}
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis
          dataKey="x"
          type="number"
          scale="time"
          domain={[start, end]}
          ticks={timeTicks(start, end, 'date', 6)}
          tick={TICK}
          tickFormatter={(v: number) => tickLabel(v, 'date')}
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
          dot={data.length <= 2}
          isAnimationActive={false}
        />
        {projection.length > 0 ? (
          <Area
            dataKey="projected"
            name="Projected"
            stroke={P95}
            strokeDasharray="4 3"
            fill="none"
            connectNulls
            isAnimationActive={false}
          />
        ) : null}
      </AreaChart>
    </ChartFrame>
  );
}
